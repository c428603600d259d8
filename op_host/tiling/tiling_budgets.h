// Every rule a tiling must satisfy that the finished POD alone decides (block split, L0 / L1 / UB budgets from
// op_kernel/cube_buffer_budget.h and vector_ub_budget.h, K chunking, path rules, workspace layout and int64
// extents): the engine's self-check, and the per-POD part of op_host/verify/tiling_invariants.h, which adds
// what needs the caller's shape or a walk of the schedule. Each violation is one line "<level>: <rule>: ...";
// an empty list means the tiling is valid for the SoC.
#pragma once

#include <string>
#include <vector>

#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

std::vector<std::string> BudgetViolations(const QuantConv2dTilingData& td, const SocSpec& soc);

// The rule fmap_l1_bytes >= WorstFmapSlabBytes: its violation lines begin with this. The schedule walk
// (verify/fmap_slab_meter.h) measures the slabs the bound stands for and names the one that does not fit.
inline constexpr char kFmapSlabBoundRule[] = "L1: fmap slab bound: fmap_l1_bytes >= WorstFmapSlabBytes";

// Worst-case fmap slab of the POD's tiles (the bound the engine sized fmap_l1_bytes with).
uint64_t WorstFmapSlabBytes(const QuantConv2dTilingData& td);

}  // namespace qconv::tiling
