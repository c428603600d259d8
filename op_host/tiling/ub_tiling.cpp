#include "op_host/tiling/ub_tiling.h"

#include <algorithm>

#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

uint64_t PeakWith(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t ub_n, uint32_t k_slices) {
    // The soft SyncAll scratch is per launched core; cube_cores bounds block_dim.
    return vector_ub::PeakBytes(soc.topology == CoreTopology::kCoupled, soc.cube_cores, m_l0, n_l0,
                                DequantPassRowsFor(m_l0), ub_n, kDequantPassBuffers, k_slices);
}

}  // namespace

uint32_t DequantPassRowsFor(uint32_t m_l0) { return std::min(m_l0, kDequantPassRows); }

uint32_t DequantPassChannelsFor(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t k_slices) {
    // A vector core's share of a tile: half its groups on 2201 (two AIVs per cube core) when it has two or more,
    // all of them on 2002 (schedule::GetVectorShare).
    const uint32_t groups = std::max<uint32_t>(n_l0 / vector_ub::kDequantChannels, 1);
    const uint32_t subs = std::max<uint32_t>(soc.vector_per_cube, 1);
    const uint32_t share = groups >= subs ? (groups + subs - 1) / subs : groups;
    for (uint32_t g = share; g >= 1; --g) {
        if (PeakWith(soc, m_l0, n_l0, g * vector_ub::kDequantChannels, k_slices) <= soc.ub_bytes) {
            return g * vector_ub::kDequantChannels;
        }
    }
    return 0;
}

uint64_t UbBytes(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t k_slices) {
    const uint32_t ub_n = DequantPassChannelsFor(soc, m_l0, n_l0, k_slices);
    return PeakWith(soc, m_l0, n_l0, ub_n == 0 ? vector_ub::kDequantChannels : ub_n, k_slices);
}

bool PlanUb(const SocSpec& soc, const L0Plan& l0, uint32_t k_slices, UbPlan* plan) {
    const uint32_t ub_n = DequantPassChannelsFor(soc, l0.m_l0, l0.n_l0, k_slices);
    if (ub_n == 0) {
        return false;
    }
    *plan = UbPlan{DequantPassRowsFor(l0.m_l0), ub_n, kDequantPassBuffers,
                   PeakWith(soc, l0.m_l0, l0.n_l0, ub_n, k_slices)};
    return true;
}

}  // namespace qconv::tiling
