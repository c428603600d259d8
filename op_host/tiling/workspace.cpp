#include "op_host/tiling/workspace.h"

#include <algorithm>

namespace qconv::tiling {

uint32_t ChooseAccSlots(const SocSpec& soc, uint64_t tiles_per_block) {
    if (soc.topology == CoreTopology::kCoupled) {
        return 1;  // unused: the tile stays on the core (L0C -> UB)
    }
    return static_cast<uint32_t>(std::clamp<uint64_t>(tiles_per_block, 1, kMaxAccSlots));
}

WorkspaceLayout PlanWorkspace(const Problem& p, const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t blocks,
                              uint32_t acc_slots) {
    WorkspaceLayout w;
    w.fmap_offset = 0;
    w.fmap_bytes = p.fmap_direct ? 0 : static_cast<uint64_t>(p.batch) * p.c1 * p.hin * p.win * kK0;
    w.weight_offset = AlignUp(w.fmap_offset + w.fmap_bytes, kWorkspaceAlign);
    w.weight_bytes = p.weight_prepacked ? 0 : p.k_fracs * p.n1 * kFractalBytes;
    w.acc_offset = AlignUp(w.weight_offset + w.weight_bytes, kWorkspaceAlign);
    w.acc_slot_bytes = static_cast<uint64_t>(m_l0) * n_l0 * 4;
    w.acc_bytes = soc.topology == CoreTopology::kCoupled ? 0 : static_cast<uint64_t>(blocks) * acc_slots * w.acc_slot_bytes;
    w.sync_offset = AlignUp(w.acc_offset + w.acc_bytes, kWorkspaceAlign);
    w.sync_bytes = soc.topology == CoreTopology::kCoupled ? static_cast<uint64_t>(blocks) * 32 : 0;
    w.total_bytes = AlignUp(w.sync_offset + w.sync_bytes, kWorkspaceAlign);
    return w;
}

}  // namespace qconv::tiling
