// Official pseudo-code followed: LoadData 2D ([EX] load_data_l12l0/scripts/load2d.py), LoadDataWithTranspose
// (load_data_with_transpose.py), Load3D v2 (load3d.py nc1hwc0_im2col), Mmad fractal layouts
// (矩阵计算分形介绍/关键分形格式详解.md), Fixpipe NZ2NZ / NZ2ND (矩阵搬出关键特性说明/NZ2NZ.md, NZ2ND.md) and the
// QUANT_PRE word (随路量化.md): mirror-cann/asc-devkit examples/01_simd_cpp_api/03_basic_api/ and
// docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/.
#include <algorithm>
#include <cstring>
#include <vector>

#include "sim/cube_kernels.h"
#include "sim/error.h"
#include "sim/half.h"

namespace qconv::sim {
namespace {

constexpr uint64_t kFractal = 512;

uint64_t Ceil(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

void RunLoad2D(Core& c, Pipe pipe, const char* api, const Span& dst, const Span& src, const Load2D& p) {
    if (p.repeat == 0) return;
    if (p.transpose && p.elem_bytes != 2) {
        Fail(Format("%s: ifTranspose is only supported for 16-bit types (LoadData_2D.md); use "
                    "LoadDataWithTranspose for int8%s",
                    api, c.Where().c_str()));
    }
    int64_t min_sf = p.start_index, max_sf = p.start_index;
    for (uint32_t i = 0; i < p.repeat; ++i) {
        const int64_t sf = int64_t{p.start_index} + (p.decrement ? -1 : 1) * int64_t{i} * p.src_stride;
        min_sf = std::min(min_sf, sf);
        max_sf = std::max(max_sf, sf);
    }
    if (min_sf < 0) {
        Fail(Format("%s: with addrMode = decrement the source fractal index reaches %lld%s", api,
                    static_cast<long long>(min_sf), c.Where().c_str()));
    }
    CheckSpan(api, "src", src, 0, static_cast<uint64_t>(max_sf + 1) * kFractal);
    const uint64_t last_df = uint64_t{p.repeat - 1} * (p.dst_gap + 1);
    CheckSpan(api, "dst", dst, 0, (last_df + 1) * kFractal);
    c.Issue(pipe, uint64_t{p.repeat} * kFractal, 0);
    const uint16_t api_id = InternName(api);
    Region& dr = *dst.region;
    const Region& sr = *src.region;
    for (uint32_t i = 0; i < p.repeat; ++i) {
        const int64_t sf = int64_t{p.start_index} + (p.decrement ? -1 : 1) * int64_t{i} * p.src_stride;
        const uint64_t so = src.off + static_cast<uint64_t>(sf) * kFractal;
        const uint64_t dof = dst.off + uint64_t{i} * (p.dst_gap + 1) * kFractal;
        c.CheckRead(pipe, sr, so, kFractal, api);
        if (!p.transpose) {
            std::memmove(dr.data + dof, sr.data + so, kFractal);
            dr.CopyPoison(dof, sr, so, kFractal);
        } else {
            uint8_t tmp[kFractal];
            uint16_t tmp_poison[kFractal];
            std::memcpy(tmp, sr.data + so, kFractal);
            std::memcpy(tmp_poison, sr.poison.data() + so, sizeof(tmp_poison));
            for (int r = 0; r < 16; ++r) {
                for (int col = 0; col < 16; ++col) {
                    const int d = (r * 16 + col) * 2, s = (col * 16 + r) * 2;
                    std::memcpy(dr.data + dof + d, tmp + s, 2);
                    dr.poison[dof + d] = tmp_poison[s];
                    dr.poison[dof + d + 1] = tmp_poison[s + 1];
                }
            }
        }
        c.MarkWrite(pipe, dr, dof, kFractal, api_id);
    }
}

void RunLoad2DTransposeB8(Core& c, const char* api, const Span& dst, const Span& src, const Load2DTranspose& p) {
    if (p.repeat == 0) return;
    const uint64_t last = uint64_t{p.repeat - 1};
    CheckSpan(api, "src", src, 0, (p.start_index + last * p.src_stride + 1) * 1024);
    const uint64_t dmax = last * (p.dst_gap + 1) + (p.dst_frac_gap + 1);
    CheckSpan(api, "dst", dst, 0, (dmax + 1) * kFractal);
    c.Issue(Pipe::kMte1, uint64_t{p.repeat} * 1024, 0);
    const uint16_t api_id = InternName(api);
    Region& dr = *dst.region;
    const Region& sr = *src.region;
    for (uint32_t i = 0; i < p.repeat; ++i) {
        const uint64_t so = src.off + (uint64_t{p.start_index} + uint64_t{i} * p.src_stride) * 1024;
        c.CheckRead(Pipe::kMte1, sr, so, 1024, api);
        uint8_t sq[1024];
        uint16_t sqp[1024];
        std::memcpy(sq, sr.data + so, 1024);
        std::memcpy(sqp, sr.poison.data() + so, sizeof(sqp));
        for (uint32_t j = 0; j < 2; ++j) {
            const uint64_t dof = dst.off + (uint64_t{i} * (p.dst_gap + 1) + uint64_t{j} * (p.dst_frac_gap + 1)) * kFractal;
            for (uint32_t k = 0; k < 16; ++k) {
                for (uint32_t col = 0; col < 32; ++col) {
                    const uint32_t s = col * 32 + 16 * j + k;
                    dr.data[dof + k * 32 + col] = sq[s];
                    dr.poison[dof + k * 32 + col] = sqp[s];
                }
            }
            c.MarkWrite(Pipe::kMte1, dr, dof, kFractal, api_id);
        }
    }
}

void RunLoad3D(Core& c, const char* api, const Span& dst, const Span& src, const Load3D& p) {
    if (p.l1h == 0 || p.l1w == 0 || p.channel_size == 0 || p.k_ext == 0 || p.m_ext == 0 || p.filter_w == 0 ||
        p.filter_h == 0) {
        return;  // documented NOPs
    }
    const uint32_t eb = p.elem_bytes;
    const uint32_t c0 = 32 / eb;
    if (p.channel_size % c0 != 0) {
        Fail(Format("%s: channelSize = %u is not a multiple of C0 = %u; the twin models whole C0 channel groups "
                    "only (pad Cin to %u)%s",
                    api, p.channel_size, c0, c0, c.Where().c_str()));
    }
    if (p.k_start % c0 != 0) {
        Fail(Format("%s: kStartPt = %u must be a multiple of C0 = %u%s", api, p.k_start, c0, c.Where().c_str()));
    }
    const int64_t span_w = int64_t{p.filter_w - 1} * p.dil_w + 1;
    const int64_t span_h = int64_t{p.filter_h - 1} * p.dil_h + 1;
    const int64_t wo_num = int64_t{p.l1w} + p.pad_left + p.pad_right - span_w;
    const int64_t ho_num = int64_t{p.l1h} + p.pad_top + p.pad_bottom - span_h;
    if (wo_num < 0 || p.stride_w == 0 || p.stride_h == 0) {
        Fail(Format("%s: the dilated filter width %lld exceeds the padded fmap width %u + %u + %u (or a stride is "
                    "0)%s",
                    api, static_cast<long long>(span_w), p.l1w, p.pad_left, p.pad_right, c.Where().c_str()));
    }
    const int64_t wo = wo_num / p.stride_w + 1;
    const int64_t ho = ho_num < 0 ? 0 : ho_num / p.stride_h + 1;
    const uint64_t c1 = p.channel_size / c0;
    const uint64_t k_total = c1 * p.filter_h * p.filter_w * c0;
    if (uint64_t{p.k_start} + p.k_ext > k_total) {
        Fail(Format("%s: kStartPt + kExtension = %u exceeds K = channelSize * filterH * filterW = %llu%s", api,
                    p.k_start + p.k_ext, static_cast<unsigned long long>(k_total), c.Where().c_str()));
    }
    const uint64_t src_need = c1 * p.l1h * p.l1w * 32;
    CheckSpan(api, "src (fmap l1H x l1W x channelSize)", src, 0, src_need);
    const uint64_t k1 = Ceil(p.k_ext, c0);
    const uint64_t i_last = p.m_ext - 1, j_last = p.k_ext - 1;
    const uint64_t dst_need = (((i_last / 16) * k1 + j_last / c0) * 16 + i_last % 16) * 32 + (j_last % c0 + 1) * eb;
    CheckSpan(api, "dst", dst, 0, dst_need);

    c.Issue(Pipe::kMte1, uint64_t{p.m_ext} * p.k_ext * eb, 0);
    const Region& sr = *src.region;
    Region& dr = *dst.region;
    c.CheckRead(Pipe::kMte1, sr, src.off, src_need, api);
    const bool src_clean = !sr.AnyPoison(src.off, src_need);
    const uint16_t beyond_origin = InternName(std::string(api) + ": M row >= Ho*Wo of the fmap (value undefined)");

    // Per K block: channel group, and the kh / kw offsets (K order = c1, kh, kw, c0).
    std::vector<int64_t> kb_c1(k1), kb_dh(k1), kb_dw(k1);
    std::vector<uint32_t> kb_cols(k1);
    for (uint64_t jb = 0; jb < k1; ++jb) {
        const uint64_t k = p.k_start + jb * c0;
        kb_c1[jb] = static_cast<int64_t>(k / (uint64_t{p.filter_h} * p.filter_w * c0));
        kb_dh[jb] = static_cast<int64_t>((k / (uint64_t{p.filter_w} * c0)) % p.filter_h) * p.dil_h;
        kb_dw[jb] = static_cast<int64_t>((k / c0) % p.filter_w) * p.dil_w;
        kb_cols[jb] = static_cast<uint32_t>(std::min<uint64_t>(c0, p.k_ext - jb * c0));
    }
    // b8: the hardware takes the padding byte from PADDING[7:0] and PADDING[15:8], which must agree (stated
    // in mirror-cann/asc-devkit impl/basic_api/dav_3510/kernel_operator_mm_impl.h, Load3DSetPaddingCal).
    const bool padded = p.pad_left != 0 || p.pad_right != 0 || p.pad_top != 0 || p.pad_bottom != 0;
    if (eb == 1 && padded && ((p.pad_bits >> 8) & 0xFF) != (p.pad_bits & 0xFF)) {
        Fail(Format("%s: the padding register holds 0x%04X: for b8 PADDING[15:8] must equal PADDING[7:0] "
                    "(asc-devkit impl/basic_api/dav_3510/kernel_operator_mm_impl.h Load3DSetPaddingCal); a signed "
                    "int8_t padding value is sign-extended by SetLoadDataPaddingValue on arch 2002 (CANN 8.1.RC1 "
                    "impl/dav_m200/kernel_operator_mm_impl.h): pass it as uint8_t%s",
                    api, p.pad_bits & 0xFFFF, c.Where().c_str()));
    }
    uint8_t pad[32];
    for (uint32_t i = 0; i < 32; i += eb) {
        pad[i] = static_cast<uint8_t>(p.pad_bits & 0xFF);
        if (eb == 2) pad[i + 1] = static_cast<uint8_t>((p.pad_bits >> 8) & 0xFF);
    }
    const uint8_t* sbase = sr.data + src.off;
    uint8_t* dbase = dr.data + dst.off;
    for (uint64_t i = 0; i < p.m_ext; ++i) {
        const int64_t m = int64_t{p.m_start} + static_cast<int64_t>(i);
        const int64_t oh = m / wo, ow = m % wo;
        const bool beyond = oh >= ho;
        const int64_t h0 = oh * p.stride_h - p.pad_top;
        const int64_t w0 = ow * p.stride_w - p.pad_left;
        const uint64_t row_base = (i / 16) * k1 * kFractal + (i % 16) * 32;
        for (uint64_t jb = 0; jb < k1; ++jb) {
            const uint64_t d = row_base + jb * kFractal;
            const uint32_t bytes = kb_cols[jb] * eb;
            const int64_t h = h0 + kb_dh[jb], w = w0 + kb_dw[jb];
            if (!beyond && h >= 0 && h < p.l1h && w >= 0 && w < p.l1w) {
                const uint64_t s = ((static_cast<uint64_t>(kb_c1[jb]) * p.l1h + static_cast<uint64_t>(h)) * p.l1w +
                                    static_cast<uint64_t>(w)) * 32;
                std::memcpy(dbase + d, sbase + s, bytes);
                if (src_clean) dr.SetPoison(dst.off + d, bytes, 0);
                else dr.CopyPoison(dst.off + d, sr, src.off + s, bytes);
            } else {
                std::memcpy(dbase + d, pad, bytes);
                dr.SetPoison(dst.off + d, bytes, beyond ? beyond_origin : 0);
            }
        }
    }
    c.MarkWrite(Pipe::kMte1, dr, dst.off, dst_need, InternName(api));
}

void RunMmad(Core& c, const char* api, const Span& dst, const Span& a, const Span& b, const MmadArgs& p) {
    if (p.m == 0 || p.n == 0 || p.k == 0) return;
    const uint64_t m1 = Ceil(p.m, 16), n1 = Ceil(p.n, 16), k1 = Ceil(p.k, 32);
    const bool gemv = p.m == 1;
    const uint64_t a_need = gemv ? p.k : m1 * k1 * kFractal;
    const uint64_t b_need = k1 * n1 * kFractal;
    const uint64_t c_need = m1 * n1 * 256 * 4;
    CheckSpan(api, "fm (L0A)", a, 0, a_need);
    CheckSpan(api, "filter (L0B)", b, 0, b_need);
    CheckSpan(api, "dst (L0C)", dst, 0, c_need);
    c.Issue(Pipe::kM, c_need, m1 * 16 * n1 * 16 * k1 * 32);
    const Region& ar = *a.region;
    const Region& br = *b.region;
    Region& cr = *dst.region;
    c.CheckRead(Pipe::kM, ar, a.off, a_need, api);
    c.CheckRead(Pipe::kM, br, b.off, b_need, api);
    if (!p.init_zero) c.CheckRead(Pipe::kM, cr, dst.off, c_need, api);

    const int8_t* A = reinterpret_cast<const int8_t*>(ar.data + a.off);
    const int8_t* B = reinterpret_cast<const int8_t*>(br.data + b.off);
    uint8_t* C = cr.data + dst.off;
    for (uint64_t mb = 0; mb < m1; ++mb) {
        for (uint64_t nb = 0; nb < n1; ++nb) {
            uint32_t acc[256];
            uint8_t* cf = C + (nb * m1 + mb) * 1024;
            if (p.init_zero) std::memset(acc, 0, sizeof(acc));
            else std::memcpy(acc, cf, sizeof(acc));
            for (uint64_t kb = 0; kb < k1; ++kb) {
                const uint32_t kk = static_cast<uint32_t>(std::min<uint64_t>(32, p.k - kb * 32));
                const int8_t* af = gemv ? A + kb * 32 : A + (mb * k1 + kb) * kFractal;
                const int8_t* bf = B + (kb * n1 + nb) * kFractal;
                const int rows = gemv ? 1 : 16;
                for (int r = 0; r < rows; ++r) {
                    const int8_t* arow = af + r * 32;
                    for (int col = 0; col < 16; ++col) {
                        const int8_t* bcol = bf + col * 32;
                        int32_t s = 0;
                        if (kk == 32) {
                            for (int t = 0; t < 32; ++t) s += int32_t{arow[t]} * int32_t{bcol[t]};
                        } else {
                            for (uint32_t t = 0; t < kk; ++t) s += int32_t{arow[t]} * int32_t{bcol[t]};
                        }
                        acc[r * 16 + col] += static_cast<uint32_t>(s);
                    }
                }
            }
            std::memcpy(cf, acc, sizeof(acc));
        }
    }

    // Poison: C(m, n) is undefined if any A(m, k<K) or B(k<K, n) is, or (accumulating) C(m, n) was; rows
    // >= m and columns >= n of the written fractals are undefined on hardware.
    const uint16_t tail_origin = InternName(std::string(api) + ": L0C rows >= m or columns >= n (value undefined)");
    const bool clean = !ar.AnyPoison(a.off, a_need) && !br.AnyPoison(b.off, b_need);
    std::vector<uint16_t> row(m1 * 16, 0), col(n1 * 16, 0);
    if (!clean) {
        for (uint64_t m = 0; m < p.m; ++m) {
            for (uint64_t k = 0; k < p.k && !row[m]; ++k) {
                const uint64_t ai = gemv ? k : ((m / 16) * k1 + k / 32) * kFractal + (m % 16) * 32 + k % 32;
                row[m] = ar.poison[a.off + ai];
            }
        }
        for (uint64_t n = 0; n < p.n; ++n) {
            for (uint64_t k = 0; k < p.k && !col[n]; ++k) {
                const uint64_t bi = ((k / 32) * n1 + n / 16) * kFractal + (n % 16) * 32 + k % 32;
                col[n] = br.poison[b.off + bi];
            }
        }
    }
    for (uint64_t nb = 0; nb < n1; ++nb) {
        for (uint64_t mb = 0; mb < m1; ++mb) {
            const uint64_t base = dst.off + (nb * m1 + mb) * 1024;
            for (uint64_t r = 0; r < 16; ++r) {
                const uint64_t m = mb * 16 + r;
                for (uint64_t q = 0; q < 16; ++q) {
                    const uint64_t n = nb * 16 + q;
                    uint16_t* sh = &cr.poison[base + (r * 16 + q) * 4];
                    uint16_t o;
                    if (m >= p.m || n >= p.n) o = tail_origin;
                    else o = row[m] ? row[m] : (col[n] ? col[n] : (p.init_zero ? 0 : (sh[0] | sh[1] | sh[2] | sh[3] ? (sh[0] ? sh[0] : sh[1] ? sh[1] : sh[2] ? sh[2] : sh[3]) : 0)));
                    sh[0] = sh[1] = sh[2] = sh[3] = o;
                }
            }
        }
    }
    c.MarkWrite(Pipe::kM, cr, dst.off, c_need, InternName(api));
}

uint16_t DequantToHalf(int32_t x, uint64_t word, bool relu) {
    const uint32_t mbits = static_cast<uint32_t>(word) & 0xFFFFE000u;  // hardware keeps (1,8,10) bits 31..13
    float m;
    std::memcpy(&m, &mbits, 4);
    if (relu && x < 0) m = 0.0f;
    const float y = Int32ToFloat(x, Rounding::kRint) * m;
    return FloatToHalfBits(y, Rounding::kRint, true);
}

void RunFixpipe(Core& c, const char* api, const Span& dst, const Span& src, const Span* words, const FixpipeArgs& p) {
    if (p.n_size == 0 || p.m_size == 0) {
        Fail(Format("%s: nSize = %u and mSize = %u must be >= 1%s", api, p.n_size, p.m_size, c.Where().c_str()));
    }
    if (p.nz && p.n_size % 16 != 0) {
        Fail(Format("%s: nSize = %u must be a multiple of 16 for NZ output%s", api, p.n_size, c.Where().c_str()));
    }
    if (p.dst_stride == 0) Fail(Format("%s: dstStride must be nonzero%s", api, c.Where().c_str()));
    const uint32_t nd = p.nz ? 1 : std::max<uint32_t>(1, p.nd_num);
    const uint64_t eb = p.dst_elem_bytes;
    const uint64_t src_last = uint64_t{nd - 1} * p.src_nd_stride * 256 + ((p.n_size - 1) / 16) * uint64_t{p.src_stride} * 16 +
                              uint64_t{p.m_size - 1} * 16 + 15;
    CheckSpan(api, "src (L0C)", src, 0, (src_last + 1) * 4);
    uint64_t dst_need;
    if (p.nz) {
        dst_need = ((p.n_size - 1) / 16) * uint64_t{p.dst_stride} * 32 + uint64_t{p.m_size - 1} * 16 * eb + 16 * eb;
    } else {
        dst_need = (uint64_t{nd - 1} * p.dst_nd_stride + uint64_t{p.m_size - 1} * p.dst_stride + p.n_size) * eb;
    }
    CheckSpan(api, "dst (GM)", dst, 0, dst_need);
    if (words != nullptr) CheckSpan(api, "cbufWorkspace (quant words)", *words, 0, uint64_t{p.n_size} * 8);
    c.Issue(Pipe::kFix, uint64_t{nd} * p.m_size * p.n_size * eb, uint64_t{nd} * p.m_size * p.n_size);
    const Region& sr = *src.region;
    Region& dr = *dst.region;
    c.CheckRead(Pipe::kFix, sr, src.off, (src_last + 1) * 4, api);
    if (words != nullptr) c.CheckRead(Pipe::kFix, *words->region, words->off, uint64_t{p.n_size} * 8, api);
    const uint16_t api_id = InternName(api);
    for (uint32_t d = 0; d < nd; ++d) {
        for (uint32_t m = 0; m < p.m_size; ++m) {
            for (uint32_t n = 0; n < p.n_size; ++n) {
                const uint64_t se = uint64_t{d} * p.src_nd_stride * 256 + (n / 16) * uint64_t{p.src_stride} * 16 +
                                    uint64_t{m} * 16 + n % 16;
                const uint64_t so = src.off + se * 4;
                int32_t x;
                std::memcpy(&x, sr.data + so, 4);
                const uint16_t* sp = &sr.poison[so];
                uint16_t o = sp[0] ? sp[0] : sp[1] ? sp[1] : sp[2] ? sp[2] : sp[3];
                uint64_t doff;
                if (p.nz) doff = (n / 16) * uint64_t{p.dst_stride} * 32 + uint64_t{m} * 16 * eb + (n % 16) * eb;
                else doff = (uint64_t{d} * p.dst_nd_stride + uint64_t{m} * p.dst_stride + n) * eb;
                uint8_t* out = dr.data + dst.off + doff;
                switch (p.out) {
                    case FixpipeOut::kS32: {
                        int32_t v = x;
                        if (p.relu && v < 0) v = 0;
                        std::memcpy(out, &v, 4);
                        break;
                    }
                    case FixpipeOut::kF16Scalar: {
                        const uint16_t h = DequantToHalf(x, p.deq_scalar, p.relu);
                        std::memcpy(out, &h, 2);
                        break;
                    }
                    case FixpipeOut::kF16Vector: {
                        uint64_t w;
                        const uint64_t wo = words->off + uint64_t{n} * 8;
                        std::memcpy(&w, words->region->data + wo, 8);
                        if (!o) {
                            for (int b = 0; b < 8 && !o; ++b) o = words->region->poison[wo + static_cast<uint64_t>(b)];
                        }
                        const uint16_t h = DequantToHalf(x, w, p.relu);
                        std::memcpy(out, &h, 2);
                        break;
                    }
                }
                dr.SetPoison(dst.off + doff, eb, o);
            }
            if (!p.nz) {
                c.MarkWrite(Pipe::kFix, dr, dst.off + (uint64_t{d} * p.dst_nd_stride + uint64_t{m} * p.dst_stride) * eb,
                            uint64_t{p.n_size} * eb, api_id);
            }
        }
    }
    if (p.nz) {
        for (uint32_t nb = 0; nb < p.n_size / 16; ++nb) {
            c.MarkWrite(Pipe::kFix, dr, dst.off + nb * uint64_t{p.dst_stride} * 32, uint64_t{p.m_size} * 16 * eb, api_id);
        }
    }
}

}  // namespace qconv::sim
