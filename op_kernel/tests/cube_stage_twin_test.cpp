// The cube stage (op_kernel/stage_cube_conv.h) in the CPU twin against a direct int32 convolution with
// offset_x padding, independent of the vector stages: the host lays out NC1HWC0 / FRACTAL_Z, the kernel runs
// the cube stage, and a minimal vector side (2201: the credit protocol and a copy of each ring slot; 2002:
// the on_tile copy) writes the int32 tiles to GM as [b][co/16][m][16]. Every shape also runs with tilings
// forced onto the paths small shapes never take (kernel-row K chunks, in-row M tiles, single buffers).
// Built once per arch by op_kernel/CMakeLists.txt (cube_stage_twin_test_2201 / _2002).
// Usage: cube_stage_twin_test [random shapes per SoC] [seed] [v = print every run]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "kernel_operator.h"
#include "op_host/tiling/tiling_budgets.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_host/tiling/ub_tiling.h"
#include "qconv_generated/soc_table.h"
#include "sim/launch.h"
#include "stage_cube_conv.h"

using namespace qconv;

namespace {

struct Problem {
    ConvShape s;
    int64_t ho, wo;
    std::vector<int8_t> x, w;
};

// zero_point: the 310P legacy semantics, every tap contributes (x - offset_x) * w (padded taps 0).
std::vector<int32_t> Reference(const Problem& p, bool zero_point) {
    const int64_t n1 = (p.s.cout + 15) / 16, pos = p.ho * p.wo;
    std::vector<int32_t> out(p.s.batch * n1 * pos * 16, 0);
    for (int64_t b = 0; b < p.s.batch; ++b)
        for (int64_t co = 0; co < p.s.cout; ++co)
            for (int64_t oh = 0; oh < p.ho; ++oh)
                for (int64_t ow = 0; ow < p.wo; ++ow) {
                    int32_t acc = 0;
                    for (int64_t ci = 0; ci < p.s.cin; ++ci)
                        for (int64_t i = 0; i < p.s.kh; ++i)
                            for (int64_t j = 0; j < p.s.kw; ++j) {
                                const int64_t h = oh * p.s.stride_h - p.s.pad_h + i * p.s.dilation_h;
                                const int64_t ww = ow * p.s.stride_w - p.s.pad_w + j * p.s.dilation_w;
                                const int32_t xv = (h < 0 || h >= p.s.hin || ww < 0 || ww >= p.s.win)
                                                       ? static_cast<int32_t>(p.s.offset_x)
                                                       : p.x[((b * p.s.cin + ci) * p.s.hin + h) * p.s.win + ww];
                                const int32_t tap = zero_point ? xv - static_cast<int32_t>(p.s.offset_x) : xv;
                                acc += tap * p.w[((co * p.s.cin + ci) * p.s.kh + i) * p.s.kw + j];
                            }
                    out[((b * n1 + co / 16) * pos + oh * p.wo + ow) * 16 + co % 16] = acc;
                }
    return out;
}

// kFmapKwPacked: x'[b][h][wo][j * cin + ci] and the packed filter, written here from the definition (the tiling's
// conv fields are the packed conv's; p.s is the caller's).
void LayoutKwPacked(const Problem& p, const QuantConv2dTilingData& td, std::vector<uint8_t>& ws) {
    const int64_t taps = p.s.kw * p.s.cin;
    for (int64_t b = 0; b < p.s.batch; ++b)
        for (int64_t h = 0; h < p.s.hin; ++h)
            for (int64_t wo = 0; wo < p.wo; ++wo)
                for (int64_t c = 0; c < taps; ++c) {
                    const int64_t j = c / p.s.cin, ci = c % p.s.cin;
                    const int64_t w = wo * p.s.stride_w + j * p.s.dilation_w - p.s.pad_w;
                    const int8_t v = (w < 0 || w >= p.s.win) ? static_cast<int8_t>(p.s.offset_x)
                                                             : p.x[((b * p.s.cin + ci) * p.s.hin + h) * p.s.win + w];
                    ws[td.ws_fmap_offset + ((b * p.s.hin + h) * p.wo + wo) * 32 + c] = static_cast<uint8_t>(v);
                }
    for (int64_t co = 0; co < p.s.cout; ++co)
        for (int64_t i = 0; i < p.s.kh; ++i)
            for (int64_t c = 0; c < taps; ++c) {
                const int64_t j = c / p.s.cin, ci = c % p.s.cin;
                ws[td.ws_weight_offset + ((i * td.n1 + co / 16) * 16 + co % 16) * 32 + c] =
                    static_cast<uint8_t>(p.w[((co * p.s.cin + ci) * p.s.kh + i) * p.s.kw + j]);
            }
}

void Layout(const Problem& p, const QuantConv2dTilingData& td, std::vector<uint8_t>& ws) {
    if (td.fmap_path == kFmapKwPacked) {
        LayoutKwPacked(p, td, ws);
        return;
    }
    // kFmapSubsampled: NC1HWC0 of the kept positions x[:, :, ::sh, ::sw] (Ho x Wo; td's conv is 1x1 stride 1 on it).
    const bool sub = td.fmap_path == kFmapSubsampled;
    const int64_t fh = sub ? p.ho : p.s.hin, fw = sub ? p.wo : p.s.win;
    const int64_t sh = sub ? p.s.stride_h : 1, sw = sub ? p.s.stride_w : 1;
    for (int64_t b = 0; b < p.s.batch && td.fmap_path != kFmapDirectGemm; ++b)  // the direct path reads x itself
        for (int64_t ci = 0; ci < p.s.cin; ++ci)
            for (int64_t h = 0; h < fh; ++h)
                for (int64_t w = 0; w < fw; ++w)
                    ws[td.ws_fmap_offset + (((b * td.c1 + ci / 32) * fh + h) * fw + w) * 32 + ci % 32] =
                        static_cast<uint8_t>(p.x[((b * p.s.cin + ci) * p.s.hin + h * sh) * p.s.win + w * sw]);
    for (int64_t co = 0; co < p.s.cout; ++co)
        for (int64_t ci = 0; ci < p.s.cin; ++ci)
            for (int64_t i = 0; i < p.s.kh; ++i)
                for (int64_t j = 0; j < p.s.kw; ++j) {
                    const int64_t row = ((ci / 32) * p.s.kh + i) * p.s.kw + j;
                    ws[td.ws_weight_offset + ((row * td.n1 + co / 16) * 16 + co % 16) * 32 + ci % 32] =
                        static_cast<uint8_t>(p.w[((co * p.s.cin + ci) * p.s.kh + i) * p.s.kw + j]);
                }
}

void KernelBody(uint8_t* ws, uint8_t* x, uint8_t* out_bytes, const QuantConv2dTilingData& td) {
    using namespace qconv::kernel;
    AscendC::TPipe pipe;
    AscendC::GlobalTensor<int32_t> out;
    const uint64_t positions = static_cast<uint64_t>(td.hout) * td.wout;
    out.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(out_bytes), td.batch * td.n1 * positions * 16);
#if __CCE_AICORE__ == 220
    if ASCEND_IS_AIC {
        RunCubeSplit(&pipe, x, nullptr, ws, td, false);
    }
    if ASCEND_IS_AIV {
        AscendC::TBuf<AscendC::TPosition::VECCALC> in;
        AscendC::TBuf<AscendC::TPosition::VECCALC> part;
        pipe.InitBuffer(in, 16 * td.m_l0 * sizeof(int32_t));
        pipe.InitBuffer(part, 16 * td.m_l0 * sizeof(int32_t));
        const uint32_t slices = schedule::KSlices(td);
        auto on_tile = [&](const AscendC::GlobalTensor<int32_t>& slot_gm, const schedule::OutputTile& tile,
                           const schedule::VectorShare& share) {
            for (uint32_t g = share.n_offset / 16; g * 16 < share.n_offset + share.n_len && share.m_len > 0; ++g) {
                AscendC::LocalTensor<int32_t> ub = in.Get<int32_t>();
                const uint32_t elems = share.m_len * 16;
                AscendC::DataCopy(ub, slot_gm[(g * schedule::AccGroupPitchRows(td) + share.m_offset) * 16], elems);
                for (uint32_t s = 1; s < slices; ++s) {  // K slices: slice s's partial of the group, m_l0 rows on
                    AscendC::LocalTensor<int32_t> other = part.Get<int32_t>();
                    const uint32_t row = g * schedule::AccGroupPitchRows(td) + s * td.m_l0 + share.m_offset;
                    AscendC::DataCopy(other, slot_gm[row * 16], elems);
                    AscendC::SetFlag<AscendC::HardEvent::MTE2_V>(0);
                    AscendC::WaitFlag<AscendC::HardEvent::MTE2_V>(0);
                    AscendC::Add(ub, ub, other, static_cast<int32_t>(elems));
                    AscendC::SetFlag<AscendC::HardEvent::V_MTE2>(0);
                    AscendC::WaitFlag<AscendC::HardEvent::V_MTE2>(0);
                    AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(0);
                    AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(0);
                }
                AscendC::SetFlag<AscendC::HardEvent::MTE2_MTE3>(0);
                AscendC::WaitFlag<AscendC::HardEvent::MTE2_MTE3>(0);
                const uint64_t dst = ((static_cast<uint64_t>(tile.batch) * td.n1 + tile.n_start / 16 + g) * positions +
                                      tile.m_start + share.m_offset) * 16;
                AscendC::DataCopy(out[dst], ub, share.m_len * 16);
                AscendC::SetFlag<AscendC::HardEvent::MTE3_MTE2>(0);
                AscendC::WaitFlag<AscendC::HardEvent::MTE3_MTE2>(0);
            }
        };
        if (slices > 1) {
            VectorReduceTiles(ws, td, on_tile);
        } else {
            VectorConsumeTiles(ws, td, on_tile);
        }
    }
#else
    RunCubeCoupled(&pipe, x, nullptr, ws, td, [&](const AscendC::LocalTensor<int32_t>& acc, const schedule::OutputTile& tile) {
        AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(0);
        AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(0);
        for (uint32_t g = 0; g * 16 < tile.n_len; ++g) {
            const uint64_t dst = ((static_cast<uint64_t>(tile.batch) * td.n1 + tile.n_start / 16 + g) * positions +
                                  tile.m_start) * 16;
            AscendC::DataCopy(out[dst], acc[g * td.m_l0 * 16], tile.m_len * 16);
        }
        AscendC::SetFlag<AscendC::HardEvent::MTE3_V>(0);
        AscendC::WaitFlag<AscendC::HardEvent::MTE3_V>(0);
    });
#endif
}

// Variants of the engine's tiling that small shapes would never get, to run every path of the cube stage:
// 1 = one kernel row and one channel group per K chunk, 2 = in-row M tiles of 16, 3 = both, single buffers,
// 4 = kernel-column chunks (one channel group, one kernel row, `kw_cols` columns), 6 = those with in-row tiles.
bool Force(QuantConv2dTilingData& td, const SocSpec& soc, int variant, uint32_t kw_cols) {
    if (td.k_dim > 1) {  // the variants re-cut K chunks and M tiles of one block per output tile: no K slices
        td.k_dim = 1;
        td.k_chunks_per_block = 0;
        td.block_dim = td.batch_dim * td.n_dim * td.m_dim;
        td.ub_n = tiling::DequantPassChannelsFor(soc, td.m_l0, td.n_l0, 1);
        td.ub_bytes = static_cast<uint32_t>(tiling::UbBytes(soc, td.m_l0, td.n_l0, 1));
    }
    if (variant & 4) {
        td.c1_per_chunk = 1;
        td.kh_per_chunk = 1;
        td.kw_per_chunk = kw_cols;
        td.k_chunks = td.c1 * td.kh * ((td.kw + kw_cols - 1) / kw_cols);
        td.weight_resident = 0;
        td.weight_l1_bytes = kw_cols * (td.n_l0 / 16) * 512;
        td.k_l0 = td.k_l0 < kw_cols * 32 ? td.k_l0 : kw_cols * 32;
    }
    if (variant & 1) {
        td.c1_per_chunk = 1;
        td.kh_per_chunk = 1;
        td.k_chunks = td.c1 * td.kh;
        td.weight_resident = 0;
        td.weight_l1_bytes = td.kw * (td.n_l0 / 16) * 512;
        td.k_l0 = td.k_l0 < td.kw * 32 ? td.k_l0 : td.kw * 32;
    }
    if (variant & 2) {
        td.m_tile_mode = kMTileInRow;
        td.m_l0 = 16;
        td.m_units = td.hout;
        td.m_dim = 1;
        td.m_per_block = td.hout;
        td.block_dim = td.batch_dim * td.n_dim;
        td.acc_slot_bytes = static_cast<uint64_t>(td.m_l0) * td.n_l0 * 4;
        td.ub_m = 16;
        td.ub_n = tiling::DequantPassChannelsFor(soc, td.m_l0, td.n_l0, 1);
        td.ub_bytes = static_cast<uint32_t>(tiling::UbBytes(soc, td.m_l0, td.n_l0, 1));
    }
    if (variant == 3) {
        td.fmap_l1_buffers = td.weight_l1_buffers = td.l0a_buffers = td.l0b_buffers = td.l0c_buffers = 1;
    }
    td.fmap_l1_bytes = static_cast<uint32_t>(tiling::WorstFmapSlabBytes(td));
    if (soc.topology != CoreTopology::kCoupled) td.ws_acc_bytes = static_cast<uint64_t>(td.block_dim) * td.acc_slots * td.acc_slot_bytes;
    td.ws_sync_offset = (td.ws_acc_offset + td.ws_acc_bytes + 511) / 512 * 512;
    td.ws_sync_bytes = soc.topology == CoreTopology::kCoupled ? uint64_t{td.block_dim} * 32 : 0;
    td.ws_total_bytes = (td.ws_sync_offset + td.ws_sync_bytes + 511) / 512 * 512;
    const auto v = tiling::BudgetViolations(td, soc);
    if (!v.empty()) std::printf("forced variant %d invalid: %s\n", variant, v.front().c_str());
    return v.empty();
}

// Returns 1 on a mismatch or a twin error, 0 otherwise (also for a variant the shape cannot take).
int RunCase(const SocSpec& soc, const ConvShape& s, std::mt19937& rng, bool verbose, int variant = 0) {
    Problem p;
    p.s = s;
    p.ho = OutputH(s);
    p.wo = OutputW(s);
    p.x.resize(s.batch * s.cin * s.hin * s.win);
    p.w.resize(s.cout * s.cin * s.kh * s.kw);
    for (auto& v : p.x) v = static_cast<int8_t>(rng() % 256 - 128);
    for (auto& v : p.w) v = static_cast<int8_t>(rng() % 256 - 128);
    const tiling::TilingResult r = tiling::ComputeTiling(s, soc);
    QuantConv2dTilingData td = r.data;
    uint32_t kw_cols = td.kw_per_chunk;
    if (variant & 4) {
        if (s.kw == 1) return 0;  // no kernel row to split
        kw_cols = 1 + static_cast<uint32_t>(rng() % (s.kw - 1));
        bool windows_have_data = true;
        for (uint32_t b = 0; b < td.kw; b += kw_cols) {
            windows_have_data &= schedule::ColumnWindowHasData(td, b, std::min<uint32_t>(kw_cols, td.kw - b));
        }
        if (!(variant & 2) && !windows_have_data) return 0;  // the engine never splits such a row across rows
    }
    if (td.fmap_path == kFmapDirectGemm && (variant & 2)) return 0;  // the direct GEMM path has no in-row tiles
    if (td.fmap_path == kFmapKwPacked && (variant & 4)) return 0;  // the packed conv's kernel rows are 1 wide
    if (variant && !Force(td, soc, variant, kw_cols)) return 1;
    std::vector<uint8_t> ws(td.ws_total_bytes, 0);
    Layout(p, td, ws);
    const std::vector<int32_t> want = Reference(p, td.offset_x_zero_point != 0);
    std::vector<int32_t> got(want.size(), 0);
    std::vector<sim::GmBuffer> args;
    args.push_back({"ws.inputs", ws.data(), td.ws_acc_offset, sim::GmRole::kInput});
    if (td.ws_total_bytes > td.ws_acc_offset) {
        args.push_back({"ws.acc", ws.data() + td.ws_acc_offset, td.ws_total_bytes - td.ws_acc_offset, sim::GmRole::kWorkspace});
    }
    args.push_back({"acc_out", got.data(), got.size() * 4, sim::GmRole::kOutput});
    args.push_back({"x", reinterpret_cast<uint8_t*>(p.x.data()), p.x.size(), sim::GmRole::kInput});  // direct GEMM path
    uint8_t* wsp = ws.data();
    uint8_t* xp = reinterpret_cast<uint8_t*>(p.x.data());
    uint8_t* outp = reinterpret_cast<uint8_t*>(got.data());
    try {
        sim::LaunchBody(soc, td.block_dim, [&]() { KernelBody(wsp, xp, outp, td); }, args, __NPU_ARCH__);
    } catch (const std::exception& e) {
        std::printf("[%s] N%lld C%lld H%lld W%lld Co%lld k%lldx%lld s%lld p%lld d%lld: twin error: %s\n", soc.name,
                    (long long)s.batch, (long long)s.cin, (long long)s.hin, (long long)s.win, (long long)s.cout,
                    (long long)s.kh, (long long)s.kw, (long long)s.stride_h, (long long)s.pad_h,
                    (long long)s.dilation_h, e.what());
        return 1;
    }
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        const int64_t pos = p.ho * p.wo;
        const int64_t co = (static_cast<int64_t>(i) / 16 / pos) % ((s.cout + 15) / 16) * 16 + static_cast<int64_t>(i) % 16;
        if (co >= s.cout) continue;
        if (got[i] != want[i] && bad++ == 0) first = i;
    }
    if (bad || verbose) {
        std::printf("[%s] N%lld C%lld H%lld W%lld Co%lld k%lldx%lld s%lldx%lld p%lldx%lld d%lldx%lld off%lld mode%u m%u n%u k%u chunks%u blocks%u v%d: %zu bad",
                    soc.name, (long long)s.batch, (long long)s.cin, (long long)s.hin, (long long)s.win,
                    (long long)s.cout, (long long)s.kh, (long long)s.kw, (long long)s.stride_h, (long long)s.stride_w,
                    (long long)s.pad_h, (long long)s.pad_w, (long long)s.dilation_h, (long long)s.dilation_w,
                    (long long)s.offset_x, td.m_tile_mode, td.m_l0, td.n_l0, td.k_l0, td.k_chunks, td.block_dim, variant, bad);
        std::printf(" kw_per_chunk%u", td.kw_per_chunk);
        if (bad) std::printf(" first at %zu: got %d want %d", first, got[first], want[first]);
        std::printf("\n");
    }
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 20;
    std::mt19937 rng(argc > 2 ? std::atoi(argv[2]) : 1);
    int failures = 0, runs = 0;
    for (const SocSpec& soc : soc_table::kSocs) {
        if (soc.npu_arch != __NPU_ARCH__) continue;
        std::vector<ConvShape> cases;
        auto make = [](int64_t b, int64_t cin, int64_t h, int64_t w, int64_t cout, int64_t kh, int64_t kw, int64_t sh,
                       int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t off) {
            ConvShape c;
            c.batch = b; c.cin = cin; c.hin = h; c.win = w; c.cout = cout; c.kh = kh; c.kw = kw;
            c.stride_h = sh; c.stride_w = sw; c.pad_h = ph; c.pad_w = pw; c.dilation_h = dh; c.dilation_w = dw;
            c.offset_x = off;
            return c;
        };
        cases.push_back(make(1, 32, 4, 4, 16, 1, 1, 1, 1, 0, 0, 1, 1, 0));
        cases.push_back(make(1, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 7));
        cases.push_back(make(2, 40, 11, 13, 33, 3, 2, 2, 1, 2, 1, 1, 2, -5));
        cases.push_back(make(1, 64, 20, 20, 64, 3, 3, 1, 1, 1, 1, 1, 1, -128));
        cases.push_back(make(1, 5, 3, 3, 3, 1, 1, 4, 4, 6, 6, 1, 1, 100));   // windows wholly in the padding
        cases.push_back(make(1, 8, 40, 40, 24, 33, 35, 1, 1, 3, 4, 1, 1, 3));  // kernels wider than 32
        cases.push_back(make(3, 17, 15, 6, 40, 2, 5, 3, 2, 1, 2, 3, 1, -1));
        cases.push_back(make(1, 3, 12, 9, 20, 2, 7, 2, 3, 1, 5, 1, 2, 9));   // column chunks next to wide padding
        cases.push_back(make(1, 64, 14, 14, 48, 1, 1, 2, 2, 0, 0, 1, 1, 0));   // subsampled fmap (downsample)
        cases.push_back(make(2, 40, 9, 7, 20, 1, 1, 3, 2, 0, 0, 2, 3, -7));    // subsampled, channel tail, odd H/W
        for (int i = 0; i < n; ++i) {
            ConvShape c;
            for (;;) {
                c = make(1 + rng() % 3, 1 + rng() % 80, 1 + rng() % 24, 1 + rng() % 24, 1 + rng() % 70,
                         1 + rng() % 5, 1 + rng() % 5, 1 + rng() % 3, 1 + rng() % 3, rng() % 3, rng() % 3,
                         1 + rng() % 3, 1 + rng() % 3, static_cast<int64_t>(rng() % 256) - 128);
                if (OutputH(c) > 0 && OutputW(c) > 0 && (soc.output_width_one_supported || OutputW(c) != 1)) break;
            }
            cases.push_back(c);
        }
        for (const ConvShape& c : cases) {
            for (int variant : {0, 1, 2, 3, 4, 6}) {
                failures += RunCase(soc, c, rng, argc > 3, variant);
                ++runs;
            }
        }
    }
    std::printf("cube_stage_twin_test (arch %d): %d runs, %d failures\n", __NPU_ARCH__, runs, failures);
    return failures ? 1 : 0;
}
