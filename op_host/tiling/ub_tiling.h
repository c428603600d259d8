// UB tile of the vector dequant. Per UB pass of ub_m rows x ub_n channels the vector side holds the int32
// input, a float32 work tile and the float16 output, plus the per-channel scale (f32) and bias (i32) of the
// whole n tile:
//   2201 (per AIV): ub_buffers * ub_m * ub_n * (4 + 2) + ub_m * ub_n * 4 + n_l0 * 8          <= ub_bytes
//   2002 (one core): the whole m_l0 x n_l0 int32 tile arrives from L0C in UB (the hand-off), then
//                    m_l0 * n_l0 * 4 + ub_buffers * ub_m * ub_n * 2 + ub_m * ub_n * 4 + n_l0 * 8 <= ub_bytes
// ub_n is a multiple of 16 no larger than one vector core's channel share; ub_m a multiple of 16 <= m_l0.
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"

namespace qconv::tiling {

uint64_t UbBytes(const SocSpec& soc, const L0Plan& l0, uint32_t ub_m, uint32_t ub_n, uint32_t ub_buffers);

// Largest pass (whole share of channels, then as many rows as fit), double-buffered when it fits.
bool PlanUb(const SocSpec& soc, const L0Plan& l0, UbPlan* plan);

}  // namespace qconv::tiling
