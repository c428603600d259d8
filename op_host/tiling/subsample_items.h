// The subsampled fmap path (QuantConv2dFmapPath kFmapSubsampled): the shape of phase 1's items, `rows` output rows
// x `groups` 32-channel groups of one image (op_kernel/layout_x_and_filter_to_workspace.h SubsampleItem), chosen by the
// modelled phase-1 time of the busiest vector core among the shapes that fit its UB (vector_ub::SubsampleItemFits).
#pragma once

#include <cstdint>

#include "op_host/core/conv_shape.h"
#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

struct SubsampleItems {
    uint32_t rows = 1;
    uint32_t groups = 1;
    uint32_t kind = 0;  // QuantConv2dSubsampleKind
    double cycles = 0;  // modelled phase-1 fmap time of the busiest vector core
};

// Per item: one DMA per kept input row bringing the span of every channel of the item (2002: one per run class
// of CopyRunsIn when H * W is not whole blocks), or one DMA of every byte of the item's planes (whole planes) or
// of each channel's rows from the first kept to the last (spans; the skipped rows too: for few channels or on
// 2002's whole-block runs of a few bytes, fewer DMAs win), x read at the per-core GM rate; one
// DMA out at the L2 rate; the vector unit's widen, gather and narrow; the pipes overlap, as
// python/qconv/cycle_model.py models them. Items are dealt round-robin over `vector_cores`. Ties go to fewer,
// larger items. Precondition: SubsampleEligible(s).
SubsampleItems ChooseSubsampleItems(const ConvShape& s, const SocSpec& soc, uint32_t vector_cores);

}  // namespace qconv::tiling
