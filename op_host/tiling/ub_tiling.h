// UB of the vector side, as the kernel allocates it from its TPipe (the stages' own budgets, mirrored here:
// keep in step with op_kernel/stage_layout_transform.h kUbBytes and stage_dequant_epilogue.h UbBytes):
//   layout transform (phase 1):  2 x 8 KB in + 2 x 8 KB out + 2 x 16 KB half scratch       = 64 KB
//   dequant epilogue:            (2201: 2 x 16 KB acc in-queue) + 8 KB narrowed rows + 2 x 8 KB out-queue
//                                + scale and bias rows 2 x (n_l0 / 16) x 256 B
//   2002 only (one core):        the m_l0 x n_l0 int32 tile from L0C (the cube hand-off, one buffer)
//                                + the soft SyncAll scratch, cube_cores x 32 B
//   sum <= ub_bytes (2201: per AIV; 2002: the AI core)
// The dequant works in passes of ub_m = min(m_l0, 256) rows x ub_n = 16 channels, double-buffered.
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"

namespace qconv::tiling {

inline constexpr uint64_t kLayoutTransformUbBytes = 65536;
inline constexpr uint32_t kDequantPassRows = 256;
inline constexpr uint32_t kDequantPassChannels = 16;

uint64_t DequantUbBytes(uint32_t n_l0, bool acc_from_workspace);
uint64_t UbBytes(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0);

// False when the vector side would not fit UB with this tile.
bool PlanUb(const SocSpec& soc, const L0Plan& l0, UbPlan* plan);

}  // namespace qconv::tiling
