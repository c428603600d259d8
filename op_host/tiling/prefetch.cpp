#include "op_host/tiling/prefetch.h"

#include <algorithm>
#include <cmath>

#include "op_kernel/quant_conv2d_schedule.h"
#include "op_host/tiling/layout_items.h"
#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

uint32_t PrefetchWeightRows(const QuantConv2dTilingData& td, const SocSpec& soc) {
    if (soc.topology == CoreTopology::kCoupled || !schedule::HasLayoutPhase(td) || schedule::CubeWeightInWorkspace(td)) {
        return 0;
    }
    const uint64_t chunk_rows = static_cast<uint64_t>(td.c1_per_chunk) * td.kh_per_chunk * td.kw_per_chunk;
    return PrefetchRowsWithin(LayoutPhaseCycles(td, soc), td.n_l0, chunk_rows, soc);
}

uint32_t PrefetchRowsWithin(double layout_cycles, uint32_t n_l0, uint64_t chunk_rows, const SocSpec& soc) {
    // A row of the slab: the first tile's column fractals (n_l0 / 16 at most) of one K fractal.
    const double row_bytes = static_cast<double>(n_l0 / kN0) * kFractalBytes;
    const double budget = layout_cycles - soc.gm_read_dma_cycles;
    if (budget <= 0 || row_bytes <= 0) {
        return 0;
    }
    const uint64_t rows = static_cast<uint64_t>(budget * soc.gm_bytes_per_cycle_per_core / row_bytes);
    return static_cast<uint32_t>(std::min(rows, chunk_rows));
}

}  // namespace qconv::tiling
