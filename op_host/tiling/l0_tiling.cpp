#include "op_host/tiling/l0_tiling.h"

#include <algorithm>

#include "op_host/tiling/tiling_problem.h"
#include "op_kernel/cube_buffer_budget.h"

namespace qconv::tiling {

bool PlanL0(const SocSpec& soc, uint32_t m_l0, uint32_t n_l0, uint32_t extra_a_tiles, L0Plan* plan) {
    if (m_l0 == 0 || n_l0 == 0 || m_l0 > kMmadMaxMN || n_l0 > kMmadMaxMN) {
        return false;
    }
    L0Plan p;
    p.m_l0 = m_l0;
    p.n_l0 = n_l0;
    p.l0c_buffers = cube_buffers::L0CBytes(2, m_l0, n_l0) <= soc.l0c_bytes
                        ? 2
                        : (cube_buffers::L0CBytes(1, m_l0, n_l0) <= soc.l0c_bytes ? 1 : 0);
    if (p.l0c_buffers == 0) {
        return false;
    }
    for (uint32_t buffers = 2; buffers >= 1; --buffers) {
        // The largest K the closed form allows, confirmed (and lowered if rounding ever asks) by the budget itself.
        const uint64_t k_a = soc.l0a_bytes / (static_cast<uint64_t>(buffers + extra_a_tiles) * m_l0);
        const uint64_t k_b = soc.l0b_bytes / (static_cast<uint64_t>(buffers) * n_l0);
        uint64_t k = std::min<uint64_t>({k_a, k_b, kMmadMaxK}) / kK0 * kK0;
        while (k >= kK0 && (cube_buffers::L0ABytes(buffers, extra_a_tiles, m_l0, static_cast<uint32_t>(k)) > soc.l0a_bytes ||
                            cube_buffers::L0BBytes(buffers, static_cast<uint32_t>(k), n_l0) > soc.l0b_bytes)) {
            k -= kK0;
        }
        if (k >= kK0) {
            p.k_l0 = static_cast<uint32_t>(k);
            p.l0a_buffers = buffers;
            p.l0b_buffers = buffers;
            *plan = p;
            return true;
        }
    }
    return false;
}

}  // namespace qconv::tiling
