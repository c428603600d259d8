#include "op_host/tiling/subsample_items.h"

#include <algorithm>
#include <cmath>

#include "op_host/tiling/tiling_problem.h"
#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

// DMAs CopyRunsIn issues for `runs` runs spaced `pitch` bytes (op_kernel/vector_gm_io.h): one on 2201 (DataCopyPad);
// on 2002 one when the spacing is whole blocks, else one per class of runs a whole number of blocks apart.
double DmasPerRow(bool coupled, uint64_t pitch, uint64_t runs) {
    if (!coupled) {
        return 1.0;
    }
    uint64_t classes = 1;
    while (classes < kK0 && (classes * pitch) % kK0 != 0) {
        classes *= 2;
    }
    return static_cast<double>(std::min(classes, runs));
}

}  // namespace

SubsampleItems ChooseSubsampleItems(const ConvShape& s, const SocSpec& soc, uint32_t vector_cores) {
    const bool coupled = soc.topology == CoreTopology::kCoupled;
    const uint32_t hout = static_cast<uint32_t>(OutputH(s));
    const uint32_t wout = static_cast<uint32_t>(OutputW(s));
    const uint32_t stride_w = static_cast<uint32_t>(s.stride_w);
    const uint32_t c1 = static_cast<uint32_t>(CeilDiv(static_cast<uint64_t>(s.cin), kK0));
    const double span = static_cast<double>((wout - 1) * stride_w + 1);
    const double pitch = vector_ub::SubsamplePitch(wout, stride_w);
    const double gm_rate = soc.gm_bytes_per_cycle_per_core;
    const double l2_rate = std::max(soc.l2_bytes_per_cycle_per_core, soc.gm_bytes_per_cycle_per_core);
    const uint64_t plane = static_cast<uint64_t>(s.hin) * s.win;
    SubsampleItems best;
    double best_items = 0;
    bool found = false;
    auto consider = [&](const SubsampleItems& cand, double items, double in_cycles, double out_bytes, double vector_bytes) {
        const double out_cycles = soc.gm_write_dma_cycles + out_bytes / l2_rate;
        const double per_core = std::ceil(items / std::max<uint32_t>(vector_cores, 1));
        const double cycles = per_core * std::max({in_cycles, out_cycles, vector_bytes / 256.0});
        if (!found || cycles < best.cycles * 0.999 || (cycles <= best.cycles * 1.001 && items < best_items)) {
            best = cand;
            best.cycles = cycles;
            best_items = items;
            found = true;
        }
    };
    const uint32_t positions = hout * wout;
    for (uint32_t groups = 1; groups <= c1 && plane <= 0xFFFFFFFFull &&
                              vector_ub::SubsamplePlanesFit(coupled, static_cast<uint32_t>(plane), positions, groups);
         ++groups) {
        const double channels = std::min<double>(groups * 32.0, static_cast<double>(s.cin));
        const double in_cycles = soc.gm_read_dma_cycles + channels * static_cast<double>(plane) / gm_rate;
        consider({hout, groups, kSubsamplePlanes, 0}, static_cast<double>(s.batch) * CeilDiv(c1, groups), in_cycles,
                 static_cast<double>(groups) * positions * 32,
                 groups * (32.0 * static_cast<double>(plane) * 2 + positions * 32.0 * 3));
    }
    for (uint32_t groups = 1; groups <= c1; ++groups) {
        for (uint32_t rows = 1; rows <= hout && vector_ub::SubsampleItemFits(coupled, wout, stride_w, rows, groups); ++rows) {
            const double items = static_cast<double>(s.batch) * CeilDiv(c1, groups) * CeilDiv(hout, rows);
            const double channels = std::min<double>(groups * 32.0, static_cast<double>(s.cin));
            const double in_cycles = rows * DmasPerRow(coupled, plane, static_cast<uint64_t>(channels)) *
                                         soc.gm_read_dma_cycles +
                                     rows * channels * (coupled ? pitch : span) / gm_rate;
            consider({rows, groups, kSubsampleRows, 0}, items, in_cycles, static_cast<double>(groups) * rows * wout * 32,
                     groups * rows * (32 * pitch * 2 + wout * 32.0 * 3));
        }
    }
    const uint32_t lanes = static_cast<uint32_t>(std::min<int64_t>(32, s.cin));
    const uint32_t row_step = static_cast<uint32_t>(s.stride_h * s.win);
    for (uint32_t groups = 1; groups <= c1 && static_cast<uint64_t>(s.stride_h) * s.win <= 0xFFFFFFFFull; ++groups) {
        const uint32_t item_channels = static_cast<uint32_t>(std::min<int64_t>(groups * 32, s.cin));
        for (uint32_t rows = 1; rows <= hout; ++rows) {
            const uint32_t span_pitch = vector_ub::SubsampleSpanPitch(rows, row_step, wout, stride_w);
            if (!vector_ub::SubsampleSpansFit(coupled, lanes, item_channels, span_pitch, wout, rows, groups)) {
                break;
            }
            const double items = static_cast<double>(s.batch) * CeilDiv(c1, groups) * CeilDiv(hout, rows);
            const double span_len = (rows - 1.0) * row_step + span;
            const double in_cycles = DmasPerRow(coupled, plane, item_channels) * soc.gm_read_dma_cycles +
                                     item_channels * (coupled ? span_pitch : span_len) / gm_rate;
            consider({rows, groups, kSubsampleSpans, 0}, items, in_cycles, static_cast<double>(groups) * rows * wout * 32,
                     groups * (lanes * span_pitch * 2.0 + rows * wout * 32.0 * 3));
        }
    }
    return best;
}

}  // namespace qconv::tiling
