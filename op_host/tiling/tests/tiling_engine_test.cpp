// Property test of the tiling engine against the schedule the kernel runs: random valid shapes over the
// whole documented range on every SoC of the generated table. For each tiling: every budget inequality
// holds (BudgetViolations); every output element is covered exactly once across blocks and tiles; K chunks
// tile K exactly; every (tile, chunk) slab fits its L1 buffer and Load3D's fields; and the Load3D address
// arithmetic on the slab reproduces the padded input element of the convolution for sampled (m, k).
// Usage: tiling_engine_test [shapes_per_soc] [seed]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "op_host/tiling/tiling_budgets.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_kernel/quant_conv2d_schedule.h"
#include "qconv_generated/soc_table.h"

namespace {

using qconv::ConvShape;
using qconv::QuantConv2dTilingData;
namespace sch = qconv::schedule;

int g_failures = 0;

void Fail(const ConvShape& s, const char* soc, const std::string& what) {
    if (++g_failures <= 20) {
        std::fprintf(stderr,
                     "FAIL [%s] N=%lld Cin=%lld H=%lld W=%lld Cout=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld "
                     "d=%lldx%lld: %s\n",
                     soc, (long long)s.batch, (long long)s.cin, (long long)s.hin, (long long)s.win,
                     (long long)s.cout, (long long)s.kh, (long long)s.kw, (long long)s.stride_h,
                     (long long)s.stride_w, (long long)s.pad_h, (long long)s.pad_w, (long long)s.dilation_h,
                     (long long)s.dilation_w, what.c_str());
    }
}

int64_t LogUniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
    std::uniform_real_distribution<double> u(std::log(static_cast<double>(lo)), std::log(static_cast<double>(hi) + 1));
    const int64_t v = static_cast<int64_t>(std::exp(u(rng)));
    return v < lo ? lo : (v > hi ? hi : v);
}

// A valid shape: Ho, Wo > 0; x, weight and y element counts fit int32.
ConvShape RandomShape(std::mt19937_64& rng) {
    constexpr int64_t kMaxElems = (int64_t{1} << 31) - 1;
    for (;;) {
        ConvShape s;
        const bool small = rng() % 2 == 0;
        s.batch = LogUniform(rng, 1, small ? 4 : 64);
        s.cin = LogUniform(rng, 1, small ? 96 : 4096);
        s.cout = LogUniform(rng, 1, small ? 96 : 4096);
        s.hin = LogUniform(rng, 1, small ? 64 : 100000);
        s.win = LogUniform(rng, 1, small ? 64 : 4096);
        s.kh = LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 7);
        s.kw = LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 7);
        s.stride_h = LogUniform(rng, 1, rng() % 4 == 0 ? 63 : 3);
        s.stride_w = LogUniform(rng, 1, rng() % 4 == 0 ? 63 : 3);
        s.dilation_h = LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 2);
        s.dilation_w = LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 2);
        s.pad_h = rng() % 3 == 0 ? 0 : LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 3);
        s.pad_w = rng() % 3 == 0 ? 0 : LogUniform(rng, 1, rng() % 4 == 0 ? 255 : 3);
        s.offset_x = static_cast<int64_t>(rng() % 256) - 128;
        const int64_t ho = qconv::OutputH(s);
        const int64_t wo = qconv::OutputW(s);
        if (ho <= 0 || wo <= 0) continue;
        if (s.batch * s.cin * s.hin * s.win > kMaxElems) continue;
        if (s.cout * s.cin * s.kh * s.kw > kMaxElems) continue;
        if (s.batch * s.cout * ho * wo > kMaxElems) continue;
        return s;
    }
}

// Load3D v2 (int8, no transpose) source of A(m, k) on the slab: virtual input row/col relative to the
// image, or pad. Mirrors the pseudo-code of LoadData 3Dv2 (mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/
// 矩阵计算（ISASI）/矩阵计算的搬入/LoadData_3D.md and its load3d.py).
struct Tap {
    bool pad;
    int64_t h;
    int64_t w;
};

Tap Load3dTap(const QuantConv2dTilingData& td, const sch::FmapSlab& slab, const sch::KChunk& c, uint32_t m_in_tile,
              uint32_t i_rel, uint32_t j) {
    const int64_t extent_w = static_cast<int64_t>(c.kw_count - 1) * td.dilation_w + 1;
    const int64_t l1w = slab.cols.count;
    const int64_t wo_slab = (l1w + slab.cols.pad_before + slab.cols.pad_after - extent_w) / td.stride_w + 1;
    const int64_t m = slab.m_start_pt + m_in_tile;
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

void CheckTiling(const ConvShape& s, const char* soc_name, const QuantConv2dTilingData& td, std::mt19937_64& rng) {
    // K chunks tile K = c1 * kh * kw fractal rows exactly, in order.
    uint64_t next_frac = 0;
    for (uint32_t ci = 0; ci < td.k_chunks; ++ci) {
        const sch::KChunk c = sch::GetKChunk(td, ci);
        if (static_cast<uint64_t>(c.c1_count) * 32 > 65535 || static_cast<uint64_t>(c.k_fracs) * 32 > 65535) {
            Fail(s, soc_name, "chunk " + std::to_string(ci) + " overflows Load3D's 16-bit channelSize / K fields");
            return;
        }
        if (c.k_frac_begin != next_frac || c.k_fracs == 0) {
            Fail(s, soc_name, "K chunks are not contiguous at chunk " + std::to_string(ci));
            return;
        }
        next_frac += c.k_fracs;
    }
    if (next_frac != static_cast<uint64_t>(td.c1) * td.kh * td.kw) {
        Fail(s, soc_name, "K chunks do not sum to K");
        return;
    }

    const uint64_t positions = static_cast<uint64_t>(td.hout) * td.wout;
    const uint64_t total = static_cast<uint64_t>(td.batch) * positions * td.cout;
    const bool mark = total <= (uint64_t{1} << 24);
    std::vector<uint8_t> seen(mark ? total : 0, 0);
    uint64_t covered = 0;
    uint64_t tiles_checked = 0;
    for (uint32_t b = 0; b < td.block_dim; ++b) {
        const sch::BlockWork w = sch::GetBlockWork(td, b);
        if (w.tiles == 0) {
            Fail(s, soc_name, "idle block " + std::to_string(b));
            return;
        }
        for (uint32_t t = 0; t < w.tiles; ++t) {
            const sch::OutputTile tile = sch::GetTile(td, w, t);
            if (tile.m_len == 0 || tile.m_len > td.m_l0 || tile.n_len == 0 || tile.n_len > td.n_l0 ||
                tile.n_start % 16 != 0 || tile.m_start + tile.m_len > positions || tile.n_start + tile.n_len > td.cout ||
                tile.images == 0 || tile.batch + tile.images > td.batch || sch::TileRows(td, tile) > td.m_l0 ||
                (tile.images > 1 && (tile.m_start != 0 || tile.m_len != positions))) {
                Fail(s, soc_name, "tile out of range");
                return;
            }
            if (td.m_tile_mode == qconv::kMTileInRow && tile.m_start / td.wout != (tile.m_start + tile.m_len - 1) / td.wout) {
                Fail(s, soc_name, "in-row tile crosses a row");
                return;
            }
            covered += static_cast<uint64_t>(tile.m_len) * tile.n_len * tile.images;
            for (uint32_t image = tile.batch; mark && image < tile.batch + tile.images; ++image) {
                for (uint32_t n = tile.n_start; n < tile.n_start + tile.n_len; ++n) {
                    for (uint32_t m = tile.m_start; m < tile.m_start + tile.m_len; ++m) {
                        uint8_t& cell = seen[(static_cast<uint64_t>(image) * td.cout + n) * positions + m];
                        if (cell++ != 0) {
                            Fail(s, soc_name, "output element covered twice");
                            return;
                        }
                    }
                }
            }
            // Slabs: only a sample of tiles on big problems, every chunk of the sampled tile.
            if (tiles_checked++ > 64 && rng() % 64 != 0) continue;
            for (uint32_t ci = 0; ci < td.k_chunks; ++ci) {
                const sch::KChunk c = sch::GetKChunk(td, ci);
                const sch::FmapSlab slab = sch::GetFmapSlab(td, tile, c);
                if (uint64_t{tile.images} * sch::FmapSlabBytes(slab, c) > td.fmap_l1_bytes) {
                    Fail(s, soc_name, "slab " + std::to_string(sch::FmapSlabBytes(slab, c)) + " B x " +
                                          std::to_string(tile.images) + " images > fmap_l1_bytes " +
                                          std::to_string(td.fmap_l1_bytes));
                    return;
                }
                if (td.fmap_path == qconv::kFmapDirectGemm) {
                    // The slab is x's channel rows at the tile's positions (output position m is input position
                    // m): it must cover the tile and stay inside the image.
                    if (slab.cols.begin != tile.m_start || slab.cols.count < tile.m_len ||
                        tile.m_start + tile.m_len > static_cast<uint64_t>(td.hin) * td.win) {
                        Fail(s, soc_name, "direct GEMM slab does not cover the tile inside the image");
                        return;
                    }
                    continue;
                }
                if (slab.rows.pad_before > 255 || slab.rows.pad_after > 255 || slab.cols.pad_before > 255 ||
                    slab.cols.pad_after > 255 || slab.rows.count == 0 || slab.cols.count == 0 ||
                    slab.rows.count > 32767 || slab.cols.count > 32767 ||
                    slab.rows.begin + slab.rows.count > td.hin || slab.cols.begin + slab.cols.count > td.win ||
                    slab.m_start_pt + sch::AlignUp16(tile.m_len) > 32767u + 16u) {
                    Fail(s, soc_name, "slab breaks a Load3D field range");
                    return;
                }
                for (int sample = 0; sample < 8; ++sample) {
                    const uint32_t mm = static_cast<uint32_t>(rng() % tile.m_len);
                    const uint32_t ii = static_cast<uint32_t>(rng() % c.kh_count);
                    const uint32_t jj = static_cast<uint32_t>(rng() % c.kw_count);
                    const Tap got = Load3dTap(td, slab, c, mm, ii, jj);
                    const Tap want = ConvTap(td, tile.m_start + mm, c.kh_begin + ii, c.kw_begin + jj);
                    if (got.pad != want.pad || (!got.pad && (got.h != want.h || got.w != want.w))) {
                        Fail(s, soc_name, "Load3D on the slab reads a different input element than the conv");
                        return;
                    }
                }
            }
        }
    }
    if (covered != total) {
        Fail(s, soc_name, "covered " + std::to_string(covered) + " of " + std::to_string(total) + " outputs");
    }
    if (mark) {
        for (uint8_t cell : seen) {
            if (cell != 1) {
                Fail(s, soc_name, "output element not covered");
                return;
            }
        }
    }
}

// Corners of the documented range: the tallest and widest inputs, the largest kernels, strides, dilations
// and paddings, windows wholly in the padding, K beyond one Load3D, Cout beyond the 16-bit DMA stride.
std::vector<ConvShape> EdgeShapes() {
    auto make = [](int64_t n, int64_t cin, int64_t h, int64_t w, int64_t cout, int64_t kh, int64_t kw, int64_t s,
                   int64_t p, int64_t d) {
        ConvShape c;
        c.batch = n, c.cin = cin, c.hin = h, c.win = w, c.cout = cout, c.kh = kh, c.kw = kw;
        c.stride_h = c.stride_w = s, c.pad_h = c.pad_w = p, c.dilation_h = c.dilation_w = d;
        c.offset_x = -128;
        return c;
    };
    std::vector<ConvShape> shapes = {
        make(1, 1, 100000, 4096, 1, 1, 1, 1, 0, 1),       // largest input
        make(1, 3, 100000, 4096, 16, 3, 3, 1, 1, 1),
        make(1, 64, 256, 4096, 64, 1, 255, 1, 0, 16),     // widest kernel reach on the widest input
        make(1, 33, 64, 64, 17, 255, 255, 1, 255, 1),     // largest kernel, padding reaches beyond the input
        make(1, 1, 1, 1, 1, 1, 1, 63, 255, 1),            // every output but one in the padding
        make(2, 5, 3, 7, 3, 1, 1, 63, 255, 255),
        make(1, 65536, 8, 8, 16, 1, 1, 1, 0, 1),          // K beyond one Load3D: channel-group chunks
        make(1, 8, 64, 64, 16, 255, 255, 1, 255, 1),      // one kernel row: kernel-row chunks
        make(1, 1, 32, 32, 1 << 20, 1, 1, 1, 0, 1),       // FRACTAL_Z row stride beyond 16 bits
        make(64, 1, 1, 1, 1, 1, 1, 1, 0, 1),              // batch only
        make(1, 2048, 7, 7, 2048, 3, 3, 1, 1, 1),
        make(1, 65536, 8, 8, 16, 1, 1, 2, 0, 1),          // subsampled fmap, K beyond one Load3D
        make(1, 64, 100000, 255, 16, 1, 1, 2, 0, 1),      // subsampled, widest kept row, ws.fmap gaps beyond 16 bits
        make(1, 3, 100000, 4096, 16, 1, 1, 2, 0, 1),      // 1x1 stride 2 whose kept row is too wide: img2col
    };
    ConvShape tall = make(1, 1, 100000, 1, 1, 255, 1, 1, 255, 255);  // dilated kernel taller than L1 holds
    tall.kw = 1, tall.dilation_w = 1, tall.pad_w = 0;
    shapes.push_back(tall);
    return shapes;
}

}  // namespace

int main(int argc, char** argv) {
    const int shapes = argc > 1 ? std::atoi(argv[1]) : 300;
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20261127;
    std::mt19937_64 rng(seed);
    int checked = 0;
    const std::vector<ConvShape> edges = EdgeShapes();
    for (const qconv::SocSpec& soc : qconv::soc_table::kSocs) {
        for (int i = 0; i < shapes + static_cast<int>(edges.size()); ++i) {
            const ConvShape s = i < static_cast<int>(edges.size()) ? edges[i] : RandomShape(rng);
            if (!soc.output_width_one_supported && qconv::OutputW(s) == 1) continue;
            try {
                const qconv::tiling::TilingResult r = qconv::tiling::ComputeTiling(s, soc);
                for (const std::string& v : qconv::tiling::BudgetViolations(r.data, soc)) {
                    Fail(s, soc.name, v);
                }
                CheckTiling(s, soc.name, r.data, rng);
                ++checked;
            } catch (const std::exception& e) {
                Fail(s, soc.name, e.what());
            }
        }
    }
    std::printf("tiling_engine_test: %d tilings checked, %d failures\n", checked, g_failures);
    return g_failures == 0 ? 0 : 1;
}
