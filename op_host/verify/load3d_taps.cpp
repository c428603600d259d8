#include "op_host/verify/load3d_taps.h"

namespace qconv::verify {

Tap Load3dTap(const QuantConv2dTilingData& td, const schedule::FmapSlab& slab, const schedule::KChunk& chunk,
              uint32_t m_in_tile, uint32_t i_rel, uint32_t j) {
    const int64_t extent_w = static_cast<int64_t>(chunk.kw_count - 1) * td.dilation_w + 1;
    const int64_t l1w = slab.cols.count;
    const int64_t wo_slab = (l1w + slab.cols.pad_before + slab.cols.pad_after - extent_w) / td.stride_w + 1;
    const int64_t m = static_cast<int64_t>(slab.m_start_pt) + m_in_tile;
    const int64_t ho = m / wo_slab;
    const int64_t wo = m % wo_slab;
    const int64_t h = ho * td.stride_h - slab.rows.pad_before + static_cast<int64_t>(i_rel) * td.dilation_h;
    const int64_t w = wo * td.stride_w - slab.cols.pad_before + static_cast<int64_t>(j) * td.dilation_w;
    if (h < 0 || h >= slab.rows.count || w < 0 || w >= l1w) return {true, 0, 0};
    return {false, slab.rows.begin + h, slab.cols.begin + w};
}

Tap ConvTap(const QuantConv2dTilingData& td, uint32_t m, uint32_t i, uint32_t j) {
    const int64_t ho = m / td.wout;
    const int64_t wo = m % td.wout;
    const int64_t h = ho * td.stride_h - td.pad_h + static_cast<int64_t>(i) * td.dilation_h;
    const int64_t w = wo * td.stride_w - td.pad_w + static_cast<int64_t>(j) * td.dilation_w;
    if (h < 0 || h >= td.hin || w < 0 || w >= td.win) return {true, 0, 0};
    return {false, h, w};
}

bool SlabReadsTheConv(const QuantConv2dTilingData& td, const schedule::FmapSlab& slab, const schedule::KChunk& chunk,
                      uint32_t m_start, uint32_t m_len) {
    constexpr int kHashed = 4;
    uint32_t samples[4 + kHashed][3] = {{0, 0, 0},
                                        {m_len - 1, chunk.kh_count - 1, chunk.kw_count - 1},
                                        {0, chunk.kh_count - 1, chunk.kw_count - 1},
                                        {m_len - 1, 0, 0}};
    uint64_t h = (uint64_t{m_start} << 32 | m_len) ^ (uint64_t{chunk.kh_begin} << 40 | uint64_t{chunk.kw_begin} << 20 |
                                                       chunk.kh_count);
    for (int s = 4; s < 4 + kHashed; ++s) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;  // an LCG step per sample
        samples[s][0] = static_cast<uint32_t>((h >> 33) % m_len);
        samples[s][1] = static_cast<uint32_t>((h >> 17) % chunk.kh_count);
        samples[s][2] = static_cast<uint32_t>((h >> 3) % chunk.kw_count);
    }
    for (const auto& sample : samples) {
        const Tap got = Load3dTap(td, slab, chunk, sample[0], sample[1], sample[2]);
        const Tap want = ConvTap(td, m_start + sample[0], chunk.kh_begin + sample[1], chunk.kw_begin + sample[2]);
        if (got.pad != want.pad || (!got.pad && (got.h != want.h || got.w != want.w))) return false;
    }
    return true;
}

}  // namespace qconv::verify
