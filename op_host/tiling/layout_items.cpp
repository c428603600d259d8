#include "op_host/tiling/layout_items.h"

#include <algorithm>
#include <cmath>

#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

bool PlainFmapItems(const QuantConv2dTilingData& td, const SocSpec& soc) {
    return soc.topology == CoreTopology::kSplit && td.fmap_path == kFmapImg2col && soc.gm_bytes_per_cycle_per_core > 0;
}

double CyclesWithRun(uint64_t images, uint64_t c1, uint64_t hw, double vector_cores, const SocSpec& soc, uint32_t run) {
    const double items = static_cast<double>(images) * c1 * std::ceil(static_cast<double>(hw) / run);
    const double positions = std::min<double>(run, static_cast<double>(hw));
    return std::ceil(items / vector_cores) * (soc.gm_read_dma_cycles + 32.0 * positions / soc.gm_bytes_per_cycle_per_core);
}

double CyclesWithRun(const QuantConv2dTilingData& td, const SocSpec& soc, uint32_t run) {
    const double vector_cores = static_cast<double>(td.block_dim) * std::max<uint32_t>(soc.vector_per_cube, 1);
    return CyclesWithRun(td.batch, td.c1, static_cast<uint64_t>(td.hin) * td.win, vector_cores, soc, run);
}

// The run LayoutFmapRunFor picks: the longest unless a shorter one is clearly faster.
template <typename Cycles>
uint32_t BestRun(const Cycles& cycles_with_run) {
    const uint32_t max_run = vector_ub::LayoutFmapRun(false);
    uint32_t best = max_run;
    double best_cycles = cycles_with_run(max_run);
    for (uint32_t run = max_run - 32; run >= 32; run -= 32) {
        const double cycles = cycles_with_run(run);
        if (cycles < best_cycles * 0.999) {  // a shorter run only when it is clearly faster
            best = run;
            best_cycles = cycles;
        }
    }
    return best;
}

}  // namespace

uint32_t LayoutFmapRunFor(const QuantConv2dTilingData& td, const SocSpec& soc) {
    if (!PlainFmapItems(td, soc)) {
        return 0;
    }
    return BestRun([&](uint32_t run) { return CyclesWithRun(td, soc, run); });
}

double LayoutPhaseCycles(const QuantConv2dTilingData& td, const SocSpec& soc) {
    if (!PlainFmapItems(td, soc) || td.ws_fmap_bytes == 0) {
        return 0.0;
    }
    return CyclesWithRun(td, soc, td.layout_fmap_run != 0 ? td.layout_fmap_run : vector_ub::LayoutFmapRun(false));
}

double LayoutPhaseEstimate(const Problem& p, const SocSpec& soc, uint32_t blocks) {
    if (soc.gm_bytes_per_cycle_per_core <= 0) {
        return 0.0;
    }
    const bool coupled = soc.topology == CoreTopology::kCoupled;
    const double vector_cores = static_cast<double>(blocks) * (coupled ? 1 : std::max<uint32_t>(soc.vector_per_cube, 1));
    double cycles = 0;
    if (!p.fmap_direct) {
        const uint64_t hw = static_cast<uint64_t>(p.hin) * p.win;
        auto fmap = [&](uint32_t run) { return CyclesWithRun(p.batch, p.c1, hw, vector_cores, soc, run); };
        cycles += fmap(coupled ? vector_ub::LayoutFmapRun(true) : BestRun(fmap));
    }
    if (!p.weight_prepacked) {
        // A plain filter's items (layout_x_and_filter_to_workspace.h): a 1x1 filter of whole channel groups in
        // items of 16 output channels x 16 groups, one DMA each; others in items of 8 output channels x 32 input
        // channels x up to 32 taps, one DMA per output channel of 32 runs of 32 B.
        const uint64_t khw = static_cast<uint64_t>(p.kh) * p.kw;
        const bool pointwise = khw == 1 && p.cin % kK0 == 0;
        const double items = pointwise ? static_cast<double>(p.n1) * CeilDiv(p.c1, 16)
                                       : static_cast<double>(p.n1) * 2 * p.c1 * CeilDiv(khw, 32);
        const double dmas = pointwise ? 1.0 : kN0 / 2;
        const double bytes = pointwise ? kN0 * 16.0 * kK0 : dmas * 32 * 32;
        cycles += std::ceil(items / vector_cores) * (dmas * soc.gm_read_dma_cycles + bytes / soc.gm_bytes_per_cycle_per_core);
    }
    return cycles;
}

}  // namespace qconv::tiling
