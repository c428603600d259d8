#include "op_host/tiling/ub_tiling.h"

#include <algorithm>

namespace qconv::tiling {

uint64_t DequantUbBytes(uint32_t n_l0, bool acc_from_workspace) {
    const uint64_t pass = static_cast<uint64_t>(kDequantPassRows) * kDequantPassChannels;
    return (acc_from_workspace ? 2 * pass * 4 : 0) + pass * 2 + 2 * pass * 2 + 2 * (n_l0 / 16) * 64 * 4;
}

uint64_t UbBytes(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0) {
    const bool coupled = soc.topology == CoreTopology::kCoupled;
    uint64_t bytes = kLayoutTransformUbBytes + DequantUbBytes(n_l0, !coupled);
    if (coupled) {
        bytes += static_cast<uint64_t>(m_l0) * n_l0 * 4 + static_cast<uint64_t>(soc.cube_cores) * 32;
    }
    return bytes;
}

bool PlanUb(const SocSpec& soc, const L0Plan& l0, UbPlan* plan) {
    const uint64_t bytes = UbBytes(soc, l0.m_l0, l0.n_l0);
    if (bytes > soc.ub_bytes) {
        return false;
    }
    *plan = UbPlan{std::min(l0.m_l0, kDequantPassRows), kDequantPassChannels, 2, bytes};
    return true;
}

}  // namespace qconv::tiling
