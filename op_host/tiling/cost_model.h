// Cost model of one tiling candidate: the busiest block (block 0 gets a full share on every axis) in cube
// cycles, priced as the twin's cycle model prices the kernel's counts (python/qconv/cycle_model.py), so the
// engine picks what the model rewards. Per block, with B images, Mb positions in m_tiles tiles, Nb channels
// in n_tiles tiles, Kf = C1*kh*kw:
//   cube    = B * sum_m ceil(m_len/16) * ceil(Nb/16) * Kf                  (one 16x32x16 Mmad fractal / cycle)
//   MTE1    = L0A bytes / l1_to_l0a + L0B bytes / l1_to_l0b + l1_to_l0_dma_cycles per load
//   MTE2    = fmap slabs from ws.fmap (L2 rate when the working set fits L2; across rows, the input rows each
//             tile's slab really holds) or, on the direct GEMM path, from x + weight slabs (ws.weight at the
//             L2 rate); an input read from its own buffer (x, a pre-packed weight) at the per-core GM rate for
//             its first reads and the L2 rate for the re-reads while the working set fits L2
//             + gm_read_dma_cycles per DMA (one per chunk for whole-row slabs and ND2NZ, one per channel group
//             otherwise), less the weight rows prefetched under phase 1 (prefetch.h)
//   out     = 2201: int32 tiles to ws.acc (Fixpipe, L2 rate + gm_write_dma_cycles each); 2002: L0C -> UB, a
//             vector-pipe copy (bytes / kVectorBytesPerCycle) added to the vector pipe
//   vector  = the epilogue's share: kVectorBytesPerOutput per output; acc in (2201) and y out with their DMAs
//             on their own pipes
//   layout  = phase 1, before the cube phase: the fmap items (not on the direct GEMM path) and a plain filter's
//             over the blocks' vector cores (layout_items.h LayoutPhaseEstimate)
// K slices (split.k_dim > 1): a block runs k_chunks_per_block of the chunks (that share of cube, MTE1 and MTE2),
// and its vector share is its part of a tile dealt over 2 * k_dim AIVs, reading k_dim partials per output.
// As in the twin's model, the pipes of a core overlap fully within a phase (single buffers too) and phases add:
//   total = layout + max(every pipe above, the chip's HBM moving the inputs' first reads and y, the chip's L2
//           moving every block's workspace traffic and re-reads while the working set fits L2);
//   with K slices the vector share is a phase of its own after the cube's (the second SyncAll).
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

// The dequant epilogue's vector writes per output (int32 add, cast to f32, mul, max, min, cast to f16, transpose:
// 4+4+4+4+4+2+2 bytes) and the vector unit's write rate (one repeat of 8 x 32 B blocks per cycle).
inline constexpr double kVectorBytesPerOutput = 24.0;
inline constexpr double kVectorBytesPerCycle = 256.0;

CostTerms ModelCost(const Problem& p, const SocSpec& soc, const TilePlan& plan);

}  // namespace qconv::tiling
