// Phase overlap on arch 2201: how much of the block's first weight slab the AIC loads before phase 1's
// barrier (QuantConv2dTilingData::prefetch_weight_rows, op_kernel/stage_cube_conv.h PrefetchWeightRows).
// Only a FRACTAL_Z filter the cube reads as it arrived qualifies (phase 1 writes every other operand). The
// hard SyncAll drains every pipe of the core before it waits, so the prefetch must end with the layout work
// or it delays the cube: the rows are those whose DMA the layout phase's estimated time covers
// (layout_items.h LayoutPhaseCycles).
#pragma once

#include <stdint.h>

#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

// The K fractal rows of the first weight slab to load before the barrier (0: no prefetch).
uint32_t PrefetchWeightRows(const QuantConv2dTilingData& td, const SocSpec& soc);

// The rule itself, for the cost model too: the rows of `n_l0 / 16` fractals whose one DMA ends within
// `layout_cycles`, at most the slab's `chunk_rows`.
uint32_t PrefetchRowsWithin(double layout_cycles, uint32_t n_l0, uint64_t chunk_rows, const SocSpec& soc);

}  // namespace qconv::tiling
