#include "op_host/tiling/l1_tiling.h"

#include <algorithm>

#include "op_kernel/cube_buffer_budget.h"
#include "op_kernel/quant_conv2d_schedule.h"

namespace qconv::tiling {

bool ColumnWindowsHaveData(const Problem& p, uint32_t kw_cols) {
    for (uint32_t begin = 0; begin < p.kw; begin += kw_cols) {
        const int64_t first = static_cast<int64_t>(begin) * p.dilation_w - p.pad_w;
        const int64_t last = static_cast<int64_t>(p.wout - 1) * p.stride_w - p.pad_w +
                             static_cast<int64_t>(std::min(p.kw, begin + kw_cols) - 1) * p.dilation_w;
        if (last < 0 || first >= static_cast<int64_t>(p.win)) {
            return false;
        }
    }
    return true;
}

uint64_t AcrossRowsSlabCols(const Problem& p, uint32_t kw_cols) {
    // Whole kernel rows take whole input rows (schedule::GetFmapSlab): one contiguous run per channel group.
    if (kw_cols == p.kw || !ColumnWindowsHaveData(p, kw_cols)) {
        return p.win;
    }
    return std::min<uint64_t>(p.win, static_cast<uint64_t>(p.wout - 1) * p.stride_w +
                                         static_cast<uint64_t>(kw_cols - 1) * p.dilation_w + 1);
}

SlabExtent WorstSlab(const Problem& p, uint32_t npu_arch, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t kh_rows,
                     uint32_t kw_cols) {
    SlabExtent e;
    if (p.fmap_direct) {  // schedule::GetFmapSlab: one row of AlignUp(m_l0, 32) positions per channel row
        e.rows = 1;
        e.cols = schedule::AlignUp32(m_l0);
        return e;
    }
    const uint64_t kernel_rows_extent = static_cast<uint64_t>(kh_rows - 1) * p.dilation_h + 1;
    const uint64_t kernel_cols_extent = static_cast<uint64_t>(kw_cols - 1) * p.dilation_w + 1;
    if (mode == kMTileAcrossRows) {
        const uint64_t spanned = std::min<uint64_t>(p.hout, (static_cast<uint64_t>(m_l0) + p.wout - 2) / p.wout + 1 +
                                                                schedule::SlabRowAlign(npu_arch, p.wout) - 1);
        e.rows = std::min<uint64_t>(p.hin, (spanned - 1) * p.stride_h + kernel_rows_extent);
        e.cols = AcrossRowsSlabCols(p, kw_cols);
    } else {
        const uint64_t width = std::min<uint64_t>(m_l0, p.wout);
        e.rows = std::min<uint64_t>(p.hin, kernel_rows_extent);
        e.cols = std::min<uint64_t>(p.win, (width - 1) * p.stride_w + kernel_cols_extent);
    }
    e.rows = std::max<uint64_t>(e.rows, 1);  // an all-padding window still loads one row (ClipWindow)
    e.cols = std::max<uint64_t>(e.cols, 1);
    return e;
}

namespace {

struct Chunk {
    uint32_t c1 = 0;
    uint32_t kh = 0;
    uint32_t kw = 0;
};

bool TryChunk(const Problem& p, const SocSpec& soc, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t n_l0,
              uint32_t images, Chunk chunk, uint32_t fmap_buffers, uint32_t weight_buffers, L1Plan* plan) {
    const uint64_t chunk_k = static_cast<uint64_t>(chunk.c1) * chunk.kh * chunk.kw * kK0;
    if (chunk.c1 == 0 || chunk.kh == 0 || chunk.kw == 0 || chunk_k > soc.load3d_k_limit) {
        return false;
    }
    if (chunk.kw < p.kw && mode == kMTileAcrossRows && !ColumnWindowsHaveData(p, chunk.kw)) {
        return false;
    }
    const SlabExtent slab = WorstSlab(p, soc.npu_arch, mode, m_l0, chunk.kh, chunk.kw);
    if (slab.rows > kLoad3dMaxL1Extent || slab.cols > kLoad3dMaxL1Extent) {
        return false;
    }
    // mStartPt < SlabRowAlign * Wo must fit the 15-bit field (LoadData_3D.md: [0, 32767]).
    if (mode == kMTileAcrossRows &&
        static_cast<uint64_t>(schedule::SlabRowAlign(soc.npu_arch, p.wout)) * p.wout > kLoad3dMaxL1Extent + 1ull) {
        return false;
    }
    const uint64_t fmap = cube_buffers::FmapSlabBytes(images, chunk.c1, slab.rows, slab.cols);
    const uint64_t weight = cube_buffers::WeightSlabBytes(chunk_k / kK0, n_l0);
    if (cube_buffers::L1Bytes(fmap_buffers, fmap, weight_buffers, weight) > soc.l1_bytes) {
        return false;
    }
    L1Plan l1;
    l1.c1_per_chunk = chunk.c1;
    l1.kh_per_chunk = chunk.kh;
    l1.kw_per_chunk = chunk.kw;
    l1.k_chunks = static_cast<uint32_t>(CeilDiv(p.c1, chunk.c1) * CeilDiv(p.kh, chunk.kh) * CeilDiv(p.kw, chunk.kw));
    l1.chunk_k = chunk_k;
    l1.fmap_slab_bytes = fmap;
    l1.weight_slab_bytes = weight;
    l1.fmap_buffers = fmap_buffers;
    l1.weight_buffers = weight_buffers;
    l1.weight_resident = l1.k_chunks == 1;
    *plan = l1;
    return true;
}

}  // namespace

bool PlanL1(const Problem& p, const SocSpec& soc, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t n_l0,
            uint32_t images, uint32_t max_c1_per_chunk, L1Plan* plan) {
    const uint64_t k_limit_fracs = soc.load3d_k_limit / kK0;
    for (uint32_t buffers = 2; buffers >= 1; --buffers) {
        // Whole channel groups with every kernel row: as many groups as fit. The slab of one group is
        // fixed, so the count follows from the budget; the Load3D K limit caps it too.
        const SlabExtent full_rows = WorstSlab(p, soc.npu_arch, mode, m_l0, p.kh, p.kw);
        const uint64_t fmap_per_c1 = cube_buffers::FmapSlabBytes(images, 1, full_rows.rows, full_rows.cols);
        const uint64_t weight_per_c1 = cube_buffers::WeightSlabBytes(static_cast<uint64_t>(p.kh) * p.kw, n_l0);
        uint64_t c1_fit = soc.l1_bytes / (buffers * (fmap_per_c1 + weight_per_c1));
        c1_fit = std::min<uint64_t>({c1_fit, p.c1, std::max<uint32_t>(max_c1_per_chunk, 1),
                                     k_limit_fracs / (static_cast<uint64_t>(p.kh) * p.kw)});
        for (uint64_t c1 = c1_fit; c1 >= 1; --c1) {  // the closed form may be off by rounding: confirm
            if (TryChunk(p, soc, mode, m_l0, n_l0, images, {static_cast<uint32_t>(c1), p.kh, p.kw}, buffers, buffers, plan)) {
                return true;
            }
            if (c1_fit - c1 >= 2) {
                break;
            }
        }
        // One channel group, as many kernel rows as fit.
        const uint32_t kh_max = static_cast<uint32_t>(std::min<uint64_t>(p.kh - 1, k_limit_fracs / p.kw));
        for (uint32_t kh = kh_max; kh >= 1; --kh) {
            if (TryChunk(p, soc, mode, m_l0, n_l0, images, {1, kh, p.kw}, buffers, buffers, plan)) {
                return true;
            }
        }
        // One kernel row, as many kernel columns as fit (slab and weight both shrink with the count).
        for (uint32_t kw = p.kw - 1; kw >= 1; --kw) {
            if (TryChunk(p, soc, mode, m_l0, n_l0, images, {1, 1, kw}, buffers, buffers, plan)) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace qconv::tiling
