#include "op_host/tiling/ub_tiling.h"

#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

uint64_t UbBytes(const SocSpec& soc, const L0Plan& l0, uint32_t ub_m, uint32_t ub_n, uint32_t ub_buffers) {
    const uint64_t pass = static_cast<uint64_t>(ub_m) * ub_n;
    const uint64_t per_channel = static_cast<uint64_t>(l0.n_l0) * 8;
    if (soc.topology == CoreTopology::kCoupled) {
        return static_cast<uint64_t>(l0.m_l0) * l0.n_l0 * 4 + ub_buffers * pass * 2 + pass * 4 + per_channel;
    }
    return ub_buffers * pass * 6 + pass * 4 + per_channel;
}

bool PlanUb(const SocSpec& soc, const L0Plan& l0, UbPlan* plan) {
    const uint32_t subs = soc.vector_per_cube == 0 ? 1 : soc.vector_per_cube;
    const uint32_t share_n = static_cast<uint32_t>(CeilDiv(CeilDiv(l0.n_l0, kN0), subs) * kN0);
    for (uint32_t buffers = 2; buffers >= 1; --buffers) {
        for (uint32_t ub_n = share_n; ub_n >= kN0; ub_n -= kN0) {
            for (uint32_t ub_m = l0.m_l0; ub_m >= kM0; ub_m = ub_m > kM0 ? static_cast<uint32_t>(AlignUp(ub_m / 2, kM0)) : 0) {
                const uint64_t bytes = UbBytes(soc, l0, ub_m, ub_n, buffers);
                if (bytes <= soc.ub_bytes) {
                    *plan = UbPlan{ub_m, ub_n, buffers, bytes};
                    return true;
                }
                if (ub_m == kM0) {
                    break;
                }
            }
        }
    }
    return false;
}

}  // namespace qconv::tiling
