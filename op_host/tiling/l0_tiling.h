// L0 tiles: for an (m_l0, n_l0) output tile, the K step and the buffer counts that fit L0A / L0B / L0C, each
// level's bytes as op_kernel/cube_buffer_budget.h states them (L0ABytes, L0BBytes, L0CBytes).
//   Mmad: m_l0, n_l0 <= 4080 and k_l0 <= 4064 (16-bit m/n/k fields capped at 4095, whole fractals)
#pragma once

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"

namespace qconv::tiling {

inline constexpr uint32_t kMmadMaxMN = 4080;
inline constexpr uint32_t kMmadMaxK = 4064;

// Double buffers where they fit (they overlap MTE1 with the cube and Fixpipe with the next tile), else one.
// Returns false when even single buffers do not fit. k_l0 is the largest multiple of 32 that fits; the
// caller clamps it to the chunk K.
// extra_a_tiles: L0A tiles of m_l0 x k_l0 besides the buffers (the 310P zero-point constant tile).
bool PlanL0(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t extra_a_tiles, L0Plan* plan);

}  // namespace qconv::tiling
