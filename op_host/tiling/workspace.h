// Workspace regions (op_kernel/README.md): fmap NC1HWC0, weight FRACTAL_Z, and on 2201 the per-block ring of
// int32 acc tiles. Each region starts 512 B aligned; the system workspace is the TilingFunc's business.
//   fmap   = N * C1 * H * W * 32 B
//   weight = C1 * kh * kw * N1 * 512 B
//   acc    = block_dim * acc_slots * m_l0 * n_l0 * 4 B   (2002: none, L0C goes to UB)
#pragma once

#include <cstdint>

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

inline constexpr uint64_t kWorkspaceAlign = 512;
inline constexpr uint32_t kMaxAccSlots = 4;  // C2V flags 0..3, V2C flags 4..7 of the 16 cross-core flags

struct WorkspaceLayout {
    uint64_t fmap_offset = 0;
    uint64_t fmap_bytes = 0;
    uint64_t weight_offset = 0;
    uint64_t weight_bytes = 0;
    uint64_t acc_offset = 0;
    uint64_t acc_bytes = 0;
    uint64_t acc_slot_bytes = 0;
    uint64_t sync_offset = 0;  // 2002 soft SyncAll area: one 32 B block per core, cleared by the kernel
    uint64_t sync_bytes = 0;
    uint64_t total_bytes = 0;
};

// The ring is kMaxAccSlots deep (cube runs up to that many tiles ahead of the vector cores), never deeper
// than the busiest block's tile count.
uint32_t ChooseAccSlots(const SocSpec& soc, uint64_t tiles_per_block);

WorkspaceLayout PlanWorkspace(const Problem& p, const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t blocks,
                              uint32_t acc_slots);

}  // namespace qconv::tiling
