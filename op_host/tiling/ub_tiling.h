// UB of the vector side. What each vector stage allocates is stated once, in op_kernel/vector_ub_budget.h,
// which the stages use for their InitBuffer lengths and this file for the budget: the peak over the kernel's
// two phases (its TPipe is Reset in between):
//   phase 1: the layout transform, on 2002 plus the soft-SyncAll scratch (cube_cores x 32 B);
//   phase 2: the dequant epilogue (its passes, and the scale and bias rows of n_l0 channels), on 2002 plus the
//            m_l0 x n_l0 int32 tile from L0C.
// Peak <= ub_bytes (2201: per AIV; 2002: the AI core). What this file decides is the pass, double-buffered:
// ub_m = min(m_l0, 256) rows x ub_n channels, ub_n the most channel groups of one vector core's share of a
// tile (schedule::GetVectorShare) that fit, so that a share takes as few acc and y DMAs as UB allows.
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"

namespace qconv::tiling {

inline constexpr uint32_t kDequantPassRows = 256;
inline constexpr uint32_t kDequantPassBuffers = 2;

// The dequant pass rows the engine picks for an m_l0 tile.
uint32_t DequantPassRowsFor(uint32_t m_l0);

// The dequant pass channels the engine picks for an m_l0 x n_l0 tile whose acc arrives as `k_slices` partials
// (schedule::KSlices; a multiple of 16; 0 when one group does not fit UB).
uint32_t DequantPassChannelsFor(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t k_slices);

// The vector side's UB peak with an m_l0 x n_l0 tile and the engine's pass.
uint64_t UbBytes(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t k_slices);

// False when the vector side would not fit UB with this tile.
bool PlanUb(const SocSpec& soc, const L0Plan& l0, uint32_t k_slices, UbPlan* plan);

}  // namespace qconv::tiling
