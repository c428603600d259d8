// Cost model of one tiling candidate: the busiest block (block 0 gets a full share on every axis) in cube
// cycles. Per block, with B images, Mb positions in m_tiles tiles, Nb channels in n_tiles tiles, Kf = C1*kh*kw:
//   cube   = B * sum_m ceil(m_len/16) * ceil(Nb/16) * Kf                  (one 16x32x16 Mmad fractal / cycle)
//   L1->L0A = B * n_tiles * 16*sum_m ceil(m_len/16) * 32*Kf  bytes at l1_to_l0a_bytes_per_cycle
//   L1->L0B = B * m_tiles * 16*ceil(Nb/16) * 32*Kf            bytes at l1_to_l0b_bytes_per_cycle
//   GM->L1  = fmap slabs (every tile, every chunk) + weight slabs (per tile, or per n tile when resident);
//             the block's share of fmap and weight is read once at gm_bytes_per_cycle_per_core, every
//             further load of the same bytes comes from L2 at l2_bytes_per_cycle_per_core
//   out    = int32 tiles at gm rate (2201: Fixpipe to ws.acc) or kL0cToUbBytesPerCycle (2002)
//   issue  = kIssueCyclesPerStep per k_l0 step + kIssueCyclesPerChunk per L1 chunk load + kIssueCyclesPerTile
// Pipelining follows the buffer counts: double-buffered levels overlap (max), single ones add up:
//   inner = L0 double ? max(mte1, cube) : mte1 + cube;  inner += or max with out by L0C buffers;
//   total = L1 double ? max(mte2, inner) : mte2 + inner;  then + issue.
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
// 2002: L0C -> UB through the vector unit, 512 B/cycle (npu_roofline.md section 2.5, INI l0_c_to_ub_rate).
inline constexpr double kL0cToUbBytesPerCycle = 512.0;

CostTerms ModelCost(const Problem& p, const SocSpec& soc, const TilePlan& plan);

}  // namespace qconv::tiling
