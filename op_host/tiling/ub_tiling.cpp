#include "op_host/tiling/ub_tiling.h"

#include <algorithm>

#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {

uint32_t DequantPassRowsFor(uint32_t m_l0) { return std::min(m_l0, kDequantPassRows); }

uint64_t UbBytes(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0) {
    // The soft SyncAll scratch is per launched core; cube_cores bounds block_dim.
    return vector_ub::PeakBytes(soc.topology == CoreTopology::kCoupled, soc.cube_cores, m_l0, n_l0,
                                DequantPassRowsFor(m_l0), kDequantPassBuffers);
}

bool PlanUb(const SocSpec& soc, const L0Plan& l0, UbPlan* plan) {
    const uint64_t bytes = UbBytes(soc, l0.m_l0, l0.n_l0);
    if (bytes > soc.ub_bytes) {
        return false;
    }
    *plan = UbPlan{DequantPassRowsFor(l0.m_l0), vector_ub::kDequantChannels, kDequantPassBuffers, bytes};
    return true;
}

}  // namespace qconv::tiling
