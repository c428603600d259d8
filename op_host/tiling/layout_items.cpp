#include "op_host/tiling/layout_items.h"

#include <algorithm>
#include <cmath>

#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

bool PlainFmapItems(const QuantConv2dTilingData& td, const SocSpec& soc) {
    return soc.topology == CoreTopology::kSplit && td.fmap_path == kFmapImg2col && soc.gm_bytes_per_cycle_per_core > 0;
}

double CyclesWithRun(const QuantConv2dTilingData& td, const SocSpec& soc, uint32_t run) {
    const double items = static_cast<double>(td.batch) * td.c1 * std::ceil(static_cast<double>(td.hin) * td.win / run);
    const double vector_cores = static_cast<double>(td.block_dim) * std::max<uint32_t>(soc.vector_per_cube, 1);
    const double positions = std::min<double>(run, static_cast<double>(td.hin) * td.win);
    return std::ceil(items / vector_cores) * (soc.gm_read_dma_cycles + 32.0 * positions / soc.gm_bytes_per_cycle_per_core);
}

}  // namespace

uint32_t LayoutFmapRunFor(const QuantConv2dTilingData& td, const SocSpec& soc) {
    if (!PlainFmapItems(td, soc)) {
        return 0;
    }
    const uint32_t max_run = vector_ub::LayoutFmapRun(false);
    uint32_t best = max_run;
    double best_cycles = CyclesWithRun(td, soc, max_run);
    for (uint32_t run = max_run - 32; run >= 32; run -= 32) {
        const double cycles = CyclesWithRun(td, soc, run);
        if (cycles < best_cycles * 0.999) {  // a shorter run only when it is clearly faster
            best = run;
            best_cycles = cycles;
        }
    }
    return best;
}

double LayoutPhaseCycles(const QuantConv2dTilingData& td, const SocSpec& soc) {
    if (!PlainFmapItems(td, soc) || td.ws_fmap_bytes == 0) {
        return 0.0;
    }
    return CyclesWithRun(td, soc, td.layout_fmap_run != 0 ? td.layout_fmap_run : vector_ub::LayoutFmapRun(false));
}

}  // namespace qconv::tiling
