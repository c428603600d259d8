// Phase 1's fmap items on arch 2201 (op_kernel/layout_x_and_filter_to_workspace.h FmapItem): how many H*W positions an
// item covers (QuantConv2dTilingData::layout_fmap_run) and the phase's estimated time. Each item is one GM
// read and one write DMA, each with a fixed cost (configs/socs.yaml gm_read_dma_cycles / gm_write_dma_cycles),
// and the items are dealt round-robin over every vector core: long runs amortise the fixed costs, short ones
// spread a small layer over more cores. The run minimises the busiest vector core's estimate.
#pragma once

#include <stdint.h>

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tiling_problem.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

// The fmap run for `td` (its block_dim and shape set): 0 when phase 1 lays out no fmap with plain runs (the
// direct GEMM and kw-packed paths) or on arch 2002 (its own item rules: vector_ub::LayoutFmapRun).
uint32_t LayoutFmapRunFor(const QuantConv2dTilingData& td, const SocSpec& soc);

// Estimated cycles of phase 1's fmap items on the busiest vector core with td.layout_fmap_run (0: the maximum);
// the read DMAs, at the per-core GM rate, bound it.
double LayoutPhaseCycles(const QuantConv2dTilingData& td, const SocSpec& soc);

// The cost model's phase 1 for a candidate of `blocks` blocks, over the blocks' vector cores: the fmap items of `p`
// (the conv the cube runs) with the run this file would pick (2002: its fixed run), as above, except on the direct
// GEMM path; plus a plain filter's items. On the kw-packed and subsampled paths phase 1 reads the caller's x in
// other items; the same estimate over the cube's input stands for them (the bytes written are those, the reads
// about as many).
double LayoutPhaseEstimate(const Problem& p, const SocSpec& soc, uint32_t blocks);

}  // namespace qconv::tiling
