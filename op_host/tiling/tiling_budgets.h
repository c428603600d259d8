// Every inequality a tiling must satisfy, checked on the finished POD: the engine's self-check and the
// tests' oracle. Each violation is one readable line; an empty list means the tiling is valid for the SoC.
#pragma once

#include <string>
#include <vector>

#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

std::vector<std::string> BudgetViolations(const QuantConv2dTilingData& td, const SocSpec& soc);

// Worst-case fmap slab of the POD's tiles (the bound the engine sized fmap_l1_bytes with).
uint64_t WorstFmapSlabBytes(const QuantConv2dTilingData& td);

}  // namespace qconv::tiling
