// Cost model of one tiling candidate: the busiest block (block 0 gets a full share on every axis) in cube
// cycles, priced as the twin's cycle model prices the kernel's counts (python/qconv/cycle_model.py), so the
// engine picks what the model rewards. Per block, with B images, Mb positions in m_tiles tiles, Nb channels
// in n_tiles tiles, Kf = C1*kh*kw:
//   cube    = B * sum_m ceil(m_len/16) * ceil(Nb/16) * Kf                  (one 16x32x16 Mmad fractal / cycle)
//   MTE1    = L0A bytes / l1_to_l0a + L0B bytes / l1_to_l0b + l1_to_l0_dma_cycles per load
//   MTE2    = fmap slabs from ws.fmap (L2 rate when the working set fits L2) or, on the direct GEMM path,
//             from x + weight slabs (ws.weight at the L2 rate); an input read from its own buffer (x, a
//             pre-packed weight) at the per-core GM rate for its first reads and the L2 rate for the
//             re-reads while the working set fits L2 + gm_read_dma_cycles per DMA (one per chunk for
//             whole-row slabs and ND2NZ, one per channel group otherwise)
//   out     = int32 tiles to ws.acc (2201, L2 rate + gm_write_dma_cycles each) or L0C -> UB (2002)
//   vector  = the epilogue's share: kVectorBytesPerOutput per output, acc in (2201) and y out with their DMAs
//   issue   = kIssueCyclesPerStep per k_l0 step + kIssueCyclesPerChunk per L1 chunk + kIssueCyclesPerTile
// Pipelining follows the buffer counts: double-buffered levels overlap (max), single ones add up:
//   inner = L0 double ? max(mte1, cube) : mte1 + cube;  inner += or max with out by L0C buffers;
//   total = L1 double ? max(mte2, inner) : mte2 + inner;  then + issue; the vector side overlaps (2201, its
//   own cores) or adds (2002, the same core); and never faster than the chip's HBM moves the weight reads
//   of every block and y.
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

// Fixed scalar/instruction-issue latency charged per L0 step (Load3D + LoadData + Mmad issue and the queue
// hand-offs) and per L1 chunk (DMA setup); they make many tiny tiles cost what they cost on hardware.
inline constexpr double kIssueCyclesPerStep = 64.0;
inline constexpr double kIssueCyclesPerChunk = 256.0;
// Per output tile: Fixpipe (2201) or L0C -> UB (2002) set-up, the cross-core flag hand-off and the epilogue's
// per-tile set-up. An estimate like the two above (to be calibrated with msprof); without it a schedule of
// millions of one-position tiles could model as cheap as one of few large tiles moving the same bytes.
inline constexpr double kIssueCyclesPerTile = 512.0;
// The dequant epilogue's vector writes per output (int32 add, cast to f32, mul, max, min, cast to f16, transpose:
// 4+4+4+4+4+2+2 bytes) and the vector unit's write rate (one repeat of 8 x 32 B blocks per cycle).
inline constexpr double kVectorBytesPerOutput = 24.0;
inline constexpr double kVectorBytesPerCycle = 256.0;
// 2002: L0C -> UB through the vector unit, 512 B/cycle (CANN 8.1.RC1 Ascend310P3.ini [AICoreMemoryRates]
// l0_c_to_ub_rate, leideng/CANN-8.1.RC1 Ascend/ascend-toolkit/8.1.RC1/aarch64-linux/data/platform_config/).
inline constexpr double kL0cToUbBytesPerCycle = 512.0;

CostTerms ModelCost(const Problem& p, const SocSpec& soc, const TilePlan& plan);

}  // namespace qconv::tiling
