// Cube-side APIs against hand-computed expectations from the documented pseudo-code: GM->L1 DataCopy,
// LoadData 2D (+ b16 transpose), LoadDataWithTranspose (2201), Load3D v2 img2col, Mmad on the Zz / Zn / Nz
// fractal layouts, Fixpipe NZ / ROW_MAJOR with NoQuant, DEQF16, VDEQF16 (2201), L0C -> UB (2002).
#include <cmath>
#include <cstring>
#include <vector>

#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;
using simtest::Lcg;

namespace {

// Peeks at a local tensor's bytes (the test inspects the arena directly).
template <typename T>
std::vector<uint8_t> Bytes(const LocalTensor<T>& t, size_t n) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(t.GetPhyAddr());
    return std::vector<uint8_t>(p, p + n);
}

// Zz index of A(m, k) (L0A), Zn of B(k, n) (L0B), Nz of C(m, n) (L0C); 关键分形格式详解.md.
size_t ZzIndex(size_t m, size_t k, size_t k1) { return ((m / 16) * k1 + k / 32) * 512 + (m % 16) * 32 + k % 32; }
size_t ZnIndex(size_t k, size_t n, size_t n1) { return ((k / 32) * n1 + n / 16) * 512 + (n % 16) * 32 + k % 32; }
size_t NzIndex(size_t m, size_t n, size_t m1) { return ((n / 16) * m1 + m / 16) * 256 + (m % 16) * 16 + n % 16; }

void CubeSync2() {
    SetFlag<HardEvent::MTE2_MTE1>(0);
    WaitFlag<HardEvent::MTE2_MTE1>(0);
}
void CubeSync1() {
    SetFlag<HardEvent::MTE1_M>(0);
    WaitFlag<HardEvent::MTE1_M>(0);
}

}  // namespace

TEST(LoadData2DRepeatsStridesGaps) {
    std::vector<int8_t> src(8 * 512);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int8_t>(i * 7 + i / 512);
    std::vector<uint8_t> got;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::A1> l1;
            TBuf<TPosition::A2> l0a;
            pipe.InitBuffer(l1, 8 * 512);
            pipe.InitBuffer(l0a, 8 * 512);
            GlobalTensor<int8_t> g;
            g.SetGlobalBuffer(src.data(), src.size());
            auto a1 = l1.Get<int8_t>();
            auto a2 = l0a.Get<int8_t>();
            DataCopy(a1, g, static_cast<uint32_t>(src.size()));
            CubeSync2();
            // repeat 3, start fractal 1, head-to-head src stride 2 fractals, dst gap 1 fractal: src 1,3,5 -> dst 0,2,4
            LoadData(a2, a1, LoadData2DParams(1, 3, 2, 0, 1, false, 0));
            got = Bytes(a2, 6 * 512);
        },
        {simtest::In("w", src)});
    for (int i = 0; i < 3; ++i) {
        for (int b = 0; b < 512; ++b) EXPECT_EQ(static_cast<int8_t>(got[i * 2 * 512 + b]), src[(1 + 2 * i) * 512 + b]);
    }
}

TEST(LoadData2DTransposeB16) {
    std::vector<half> src(256);
    for (int i = 0; i < 256; ++i) src[i] = half(static_cast<float>(i));
    std::vector<uint8_t> got;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::B1> l1;
            TBuf<TPosition::B2> l0b;
            pipe.InitBuffer(l1, 512);
            pipe.InitBuffer(l0b, 512);
            GlobalTensor<half> g;
            g.SetGlobalBuffer(src.data(), 256);
            auto b1 = l1.Get<half>();
            auto b2 = l0b.Get<half>();
            DataCopy(b1, g, 256);
            CubeSync2();
            LoadData(b2, b1, LoadData2DParams(0, 1, 0, 0, 0, true, 0));
            got = Bytes(b2, 512);
        },
        {simtest::In("w", src)});
    for (int r = 0; r < 16; ++r) {
        for (int c = 0; c < 16; ++c) {
            uint16_t v;
            std::memcpy(&v, &got[(r * 16 + c) * 2], 2);
            EXPECT_EQ(v, src[c * 16 + r].bits);
        }
    }
}

#if __NPU_ARCH__ == 2201
TEST(LoadDataWithTransposeB8) {
    std::vector<int8_t> src(2 * 1024);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int8_t>(i % 251);
    std::vector<uint8_t> got;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::B1> l1;
            TBuf<TPosition::B2> l0b;
            pipe.InitBuffer(l1, 2048);
            pipe.InitBuffer(l0b, 4 * 512);
            GlobalTensor<int8_t> g;
            g.SetGlobalBuffer(src.data(), src.size());
            auto b1 = l1.Get<int8_t>();
            auto b2 = l0b.Get<int8_t>();
            DataCopy(b1, g, 2048);
            CubeSync2();
            // two squares, contiguous output (dstGap 1, dstFracGap 0): 4 fractals
            LoadDataWithTranspose(b2, b1, LoadData2dTransposeParams(0, 2, 1, 1, 0));
            got = Bytes(b2, 4 * 512);
        },
        {simtest::In("w", src)});
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
            for (int k = 0; k < 16; ++k) {
                for (int c = 0; c < 32; ++c) {
                    EXPECT_EQ(static_cast<int8_t>(got[(i * 2 + j) * 512 + k * 32 + c]), src[i * 1024 + c * 32 + 16 * j + k]);
                }
            }
        }
    }
}
#endif

#if __NPU_ARCH__ == 2201
// GM -> L1 ND2NZ of int8 against the doc's pseudo-code: two 37 x 45 matrices out of a wider source (pitch 50,
// matrix stride 1900), column blocks 40 rows apart and matrices 3200 bytes apart; the second column block of
// each row is zero past column 45.
TEST(DataCopyNd2NzInt8) {
    constexpr int kRows = 37, kCols = 45, kPitch = 50, kMatrixStride = 1900, kC0Stride = 40, kDstMatrix = 3200;
    std::vector<int8_t> src(2 * kMatrixStride);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<int8_t>(i * 13 + 5);
    std::vector<uint8_t> got;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::A1> l1;
            pipe.InitBuffer(l1, 2 * kDstMatrix);
            GlobalTensor<int8_t> g;
            g.SetGlobalBuffer(src.data(), src.size());
            auto a1 = l1.Get<int8_t>();
            DataCopy(a1, g, Nd2NzParams(2, kRows, kCols, kMatrixStride, kPitch, kC0Stride, 1, kDstMatrix));
            got = Bytes(a1, 2 * kDstMatrix);
        },
        {simtest::In("x", src)});
    for (int i = 0; i < 2; ++i) {
        for (int r = 0; r < kRows; ++r) {
            for (int c = 0; c < 64; ++c) {
                const size_t d = i * kDstMatrix + (c / 32) * kC0Stride * 32 + r * 32 + c % 32;
                const int8_t want = c < kCols ? src[i * kMatrixStride + r * kPitch + c] : 0;
                EXPECT_EQ(static_cast<int8_t>(got[d]), want);
            }
        }
    }
}
#endif

// img2col of a 2-group (C = 64) fmap with asymmetric padding, stride, dilation, a K window starting at
// the second C0 block and an M window starting at row 3 whose length is not a multiple of 16. Arch 2002 allows
// neither channelSize = 64 nor an unaligned mStartPt for int8 (LoadData_3D.md; sim/include/sim/cube.h), so there
// the fmap has one group and the M window starts at row 16.
TEST(Load3DImg2colMatchesConvolutionWindow) {
#if __NPU_ARCH__ == 2002
    const int C1 = 1, H = 9, W = 6, m_start = 16;
#else
    const int C1 = 2, H = 5, W = 6, m_start = 3;
#endif
    const int KH = 3, KW = 2, SH = 2, SW = 1, DH = 1, DW = 2;
    const int PL = 1, PR = 0, PT = 1, PB = 2;
    const int8_t pad_value = 7;
    const int HO = (H + PT + PB - ((KH - 1) * DH + 1)) / SH + 1;
    const int WO = (W + PL + PR - ((KW - 1) * DW + 1)) / SW + 1;
    const int K = C1 * KH * KW * 32, M = HO * WO;
    const int k_start = 32, k_ext = K - 32, m_ext = M - m_start;
    std::vector<int8_t> x(C1 * H * W * 32);  // NC1HWC0, N = 1
    Lcg rng(11);
    for (auto& v : x) v = rng.I8();
    const int K1 = (k_ext + 31) / 32;
    std::vector<uint8_t> got;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::A1> l1;
            TBuf<TPosition::A2> l0a;
            pipe.InitBuffer(l1, static_cast<uint32_t>(x.size()));
            pipe.InitBuffer(l0a, static_cast<uint32_t>((m_ext + 15) / 16 * K1 * 512));
            GlobalTensor<int8_t> g;
            g.SetGlobalBuffer(x.data(), x.size());
            auto a1 = l1.Get<int8_t>();
            auto a2 = l0a.Get<int8_t>();
            DataCopy(a1, g, static_cast<uint32_t>(x.size()));
            CubeSync2();
            const uint8_t pads[4] = {PL, PR, PT, PB};
            SetFmatrix(H, W, pads, FmatrixMode::FMATRIX_LEFT);
            SetLoadDataPaddingValue<int8_t>(pad_value);
            static constexpr IsResetLoad3dConfig kKeep = {false, false};
            LoadData3DParamsV2<int8_t> p;
            p.channelSize = C1 * 32;
            p.kExtension = static_cast<uint16_t>(k_ext);
            p.mExtension = static_cast<uint16_t>(m_ext);
            p.kStartPt = static_cast<uint16_t>(k_start);
            p.mStartPt = static_cast<uint16_t>(m_start);
            p.strideW = SW;
            p.strideH = SH;
            p.filterW = KW;
            p.filterH = KH;
            p.dilationFilterW = DW;
            p.dilationFilterH = DH;
            LoadData<int8_t, kKeep>(a2, a1, p);
            got = Bytes(a2, static_cast<size_t>((m_ext + 15) / 16 * K1 * 512));
        },
        {simtest::In("x", x)});
    for (int i = 0; i < m_ext; ++i) {
        const int m = m_start + i, ho = m / WO, wo = m % WO;
        for (int j = 0; j < k_ext; ++j) {
            const int k = k_start + j;
            const int c1 = k / (KH * KW * 32), kh = (k / (KW * 32)) % KH, kw = (k / 32) % KW, c0 = k % 32;
            const int h = ho * SH - PT + kh * DH, w = wo * SW - PL + kw * DW;
            const int8_t want = (h >= 0 && h < H && w >= 0 && w < W) ? x[((c1 * H + h) * W + w) * 32 + c0] : pad_value;
            EXPECT_EQ(static_cast<int8_t>(got[ZzIndex(i, j, K1)]), want);
        }
    }
}

// Mmad on tails: m = 20, n = 40, k = 70 (the hardware reads whole fractals; padding is zero here), then an
// accumulating Mmad doubles the result; m = 1 reads L0A as a plain vector (GEMV).
TEST(MmadFractalLayoutsTailsAndAccumulate) {
    const int M = 20, N = 40, K = 70;
    const int M1 = 2, N1 = 3, K1 = 3;
    std::vector<int8_t> a(M * K), b(K * N);
    Lcg rng(5);
    for (auto& v : a) v = rng.I8();
    for (auto& v : b) v = rng.I8();
    std::vector<int8_t> a_zz(M1 * K1 * 512, 0), b_zn(K1 * N1 * 512, 0);
    for (int m = 0; m < M; ++m)
        for (int k = 0; k < K; ++k) a_zz[ZzIndex(m, k, K1)] = a[m * K + k];
    for (int k = 0; k < K; ++k)
        for (int n = 0; n < N; ++n) b_zn[ZnIndex(k, n, N1)] = b[k * N + n];
    std::vector<uint8_t> once, twice, gemv;
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::A1> l1a;
            TBuf<TPosition::B1> l1b;
            TBuf<TPosition::A2> l0a;
            TBuf<TPosition::B2> l0b;
            TBuf<TPosition::CO1> l0c;
            pipe.InitBuffer(l1a, static_cast<uint32_t>(a_zz.size()));
            pipe.InitBuffer(l1b, static_cast<uint32_t>(b_zn.size()));
            pipe.InitBuffer(l0a, static_cast<uint32_t>(a_zz.size()));
            pipe.InitBuffer(l0b, static_cast<uint32_t>(b_zn.size()));
            pipe.InitBuffer(l0c, M1 * N1 * 1024);
            GlobalTensor<int8_t> ga, gb;
            ga.SetGlobalBuffer(a_zz.data(), a_zz.size());
            gb.SetGlobalBuffer(b_zn.data(), b_zn.size());
            DataCopy(l1a.Get<int8_t>(), ga, static_cast<uint32_t>(a_zz.size()));
            DataCopy(l1b.Get<int8_t>(), gb, static_cast<uint32_t>(b_zn.size()));
            CubeSync2();
            LoadData(l0a.Get<int8_t>(), l1a.Get<int8_t>(), LoadData2DParams(0, M1 * K1, 1, 0, 0, false, 0));
            LoadData(l0b.Get<int8_t>(), l1b.Get<int8_t>(), LoadData2DParams(0, K1 * N1, 1, 0, 0, false, 0));
            CubeSync1();
            auto c = l0c.Get<int32_t>();
            Mmad(c, l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(M, N, K, 0, false, true));
            once = Bytes(c, M1 * N1 * 1024);
            Mmad(c, l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(M, N, K, 0, false, false));
            twice = Bytes(c, M1 * N1 * 1024);
            // GEMV (m = 1): L0A is read as a plain K vector, i.e. its first K bytes.
            Mmad(c, l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(1, N, K, 0, false, true));
            gemv = Bytes(c, M1 * N1 * 1024);
        },
        {simtest::In("a", a_zz), simtest::In("b", b_zn)});
    for (int m = 0; m < M; ++m) {
        for (int n = 0; n < N; ++n) {
            int32_t want = 0;
            for (int k = 0; k < K; ++k) want += int32_t{a[m * K + k]} * int32_t{b[k * N + n]};
            int32_t v1, v2;
            std::memcpy(&v1, &once[NzIndex(m, n, M1) * 4], 4);
            std::memcpy(&v2, &twice[NzIndex(m, n, M1) * 4], 4);
            EXPECT_EQ(v1, want);
            EXPECT_EQ(v2, 2 * want);
        }
    }
    for (int n = 0; n < N; ++n) {
        int32_t want = 0;
        for (int k = 0; k < K; ++k) want += int32_t{a_zz[k]} * int32_t{b[k * N + n]};
        int32_t v;
        std::memcpy(&v, &gemv[NzIndex(0, n, 1) * 4], 4);
        EXPECT_EQ(v, want);
    }
}

#if __NPU_ARCH__ == 2201
namespace {
// Independent oracle for DEQF16: clamp then round to binary16 with the compiler's _Float16 (RNE).
uint16_t OracleDeq(int32_t x, uint64_t word) {
    const uint32_t bits = static_cast<uint32_t>(word) & 0xFFFFE000u;
    float s;
    std::memcpy(&s, &bits, 4);
    float y = static_cast<float>(x) * s;
    y = std::fmin(std::fmax(y, -65504.0f), 65504.0f);
    const _Float16 h = static_cast<_Float16>(y);
    uint16_t out;
    std::memcpy(&out, &h, 2);
    return out;
}
}  // namespace

// Fixpipe of an Mmad result: NZ int32 (dstStride in 32 B), ROW_MAJOR half with DEQF16 and VDEQF16.
TEST(FixpipeNzRowMajorDequant) {
    const int M = 20, N = 32, K = 32;
    const int M1 = 2, N1 = 2, K1 = 1;
    std::vector<int8_t> a_zz(M1 * K1 * 512, 0), b_zn(K1 * N1 * 512, 0);
    Lcg rng(9);
    std::vector<int8_t> a(M * K), b(K * N);
    for (auto& v : a) v = rng.I8();
    for (auto& v : b) v = rng.I8();
    for (int m = 0; m < M; ++m)
        for (int k = 0; k < K; ++k) a_zz[ZzIndex(m, k, K1)] = a[m * K + k];
    for (int k = 0; k < K; ++k)
        for (int n = 0; n < N; ++n) b_zn[ZnIndex(k, n, N1)] = b[k * N + n];
    std::vector<uint64_t> words(N);
    for (int n = 0; n < N; ++n) {
        const float s = 0.37f * static_cast<float>(n + 1);
        uint32_t bits;
        std::memcpy(&bits, &s, 4);
        words[n] = bits | (uint64_t{1} << 32);  // low bits below 13 are ignored by the hardware
    }
    const uint64_t scalar_word = 0x3F8FFFFFull;  // ~1.125, truncated to fp19
    const int kNzStride = 2 * M1 * 16;  // dst stride in 32 B: M1*16 rows * 16 * 4 B / 32
    std::vector<int32_t> y_nz(N1 * M1 * 16 * 16 * 2, 0);
    std::vector<half> y_deq(M * N), y_vdeq(M * N);
    simtest::Run(
        [&] {
            if (!simtest::CubeCore0()) return;
            TPipe pipe;
            TBuf<TPosition::A1> l1a;
            TBuf<TPosition::B1> l1b;
            TBuf<TPosition::C1> l1w;
            TBuf<TPosition::A2> l0a;
            TBuf<TPosition::B2> l0b;
            TBuf<TPosition::CO1> l0c;
            pipe.InitBuffer(l1a, 1024);
            pipe.InitBuffer(l1b, 1024);
            pipe.InitBuffer(l1w, N * 8);
            pipe.InitBuffer(l0a, 1024);
            pipe.InitBuffer(l0b, 1024);
            pipe.InitBuffer(l0c, M1 * N1 * 1024);
            GlobalTensor<int8_t> ga, gb;
            GlobalTensor<uint64_t> gw;
            ga.SetGlobalBuffer(a_zz.data(), a_zz.size());
            gb.SetGlobalBuffer(b_zn.data(), b_zn.size());
            gw.SetGlobalBuffer(words.data(), words.size());
            DataCopy(l1a.Get<int8_t>(), ga, 1024);
            DataCopy(l1b.Get<int8_t>(), gb, 1024);
            DataCopy(l1w.Get<uint64_t>(), gw, N);
            CubeSync2();
            LoadData(l0a.Get<int8_t>(), l1a.Get<int8_t>(), LoadData2DParams(0, 2, 1, 0, 0, false, 0));
            LoadData(l0b.Get<int8_t>(), l1b.Get<int8_t>(), LoadData2DParams(0, 2, 1, 0, 0, false, 0));
            CubeSync1();
            auto c = l0c.Get<int32_t>();
            Mmad(c, l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(M, N, K, 0, false, true));
            SetFlag<HardEvent::M_FIX>(0);
            WaitFlag<HardEvent::M_FIX>(0);
            GlobalTensor<int32_t> gnz;
            gnz.SetGlobalBuffer(y_nz.data(), y_nz.size());
            Fixpipe<int32_t, int32_t, CFG_NZ>(gnz, c, FixpipeParamsV220(N, M, M1 * 16, kNzStride, false));
            GlobalTensor<half> gd, gv;
            gd.SetGlobalBuffer(y_deq.data(), y_deq.size());
            gv.SetGlobalBuffer(y_vdeq.data(), y_vdeq.size());
            FixpipeParamsV220 p(N, M, M1 * 16, N, false);
            p.quantPre = DEQF16;
            p.deqScalar = scalar_word;
            Fixpipe<half, int32_t, CFG_ROW_MAJOR>(gd, c, p);
            p.quantPre = VDEQF16;
            Fixpipe<half, int32_t, CFG_ROW_MAJOR>(gv, c, l1w.Get<uint64_t>(), p);
        },
        {simtest::In("a", a_zz), simtest::In("b", b_zn), simtest::In("words", words), simtest::Ws("y_nz", y_nz),
         simtest::Out("y_deq", y_deq), simtest::Out("y_vdeq", y_vdeq)});
    for (int m = 0; m < M; ++m) {
        for (int n = 0; n < N; ++n) {
            int32_t acc = 0;
            for (int k = 0; k < K; ++k) acc += int32_t{a[m * K + k]} * int32_t{b[k * N + n]};
            // NZ: (n / 16) * dstStride * 32 B + m * 16 * 4 B + (n % 16) * 4 B
            EXPECT_EQ(y_nz[((n / 16) * kNzStride * 32 + m * 64 + (n % 16) * 4) / 4], acc);
            EXPECT_EQ(y_deq[m * N + n].bits, OracleDeq(acc, scalar_word));
            EXPECT_EQ(y_vdeq[m * N + n].bits, OracleDeq(acc, words[n]));
        }
    }
}
#endif

#if __NPU_ARCH__ == 2002
// L0C -> UB (BLOCK_MODE_MATRIX, DEQ_NONE): fractals copied verbatim with srcStride / dstStride gaps.
TEST(L0cToUbMatrixBlocks) {
    const int M = 32, N = 16, K = 32;
    std::vector<int8_t> a_zz(2 * 512), b_zn(512);
    Lcg rng(3);
    for (auto& v : a_zz) v = rng.I8();
    for (auto& v : b_zn) v = rng.I8();
    std::vector<int32_t> out(2 * 256 + 8, 0);
    simtest::Run(
        [&] {
            TPipe pipe;
            TBuf<TPosition::A1> l1a;
            TBuf<TPosition::B1> l1b;
            TBuf<TPosition::A2> l0a;
            TBuf<TPosition::B2> l0b;
            TBuf<TPosition::CO1> l0c;
            TBuf<TPosition::VECOUT> ub;
            pipe.InitBuffer(l1a, 1024);
            pipe.InitBuffer(l1b, 512);
            pipe.InitBuffer(l0a, 1024);
            pipe.InitBuffer(l0b, 512);
            pipe.InitBuffer(l0c, 2048);
            pipe.InitBuffer(ub, static_cast<uint32_t>(out.size() * 4));
            GlobalTensor<int8_t> ga, gb;
            ga.SetGlobalBuffer(a_zz.data(), a_zz.size());
            gb.SetGlobalBuffer(b_zn.data(), b_zn.size());
            DataCopy(l1a.Get<int8_t>(), ga, 1024);
            DataCopy(l1b.Get<int8_t>(), gb, 512);
            CubeSync2();
            LoadData(l0a.Get<int8_t>(), l1a.Get<int8_t>(), LoadData2DParams(0, 2, 1, 0, 0, false, 0));
            LoadData(l0b.Get<int8_t>(), l1b.Get<int8_t>(), LoadData2DParams(0, 1, 1, 0, 0, false, 0));
            CubeSync1();
            auto c = l0c.Get<int32_t>();
            Mmad(c, l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(M, N, K, 0, false, true));
            SetFlag<HardEvent::M_V>(0);
            WaitFlag<HardEvent::M_V>(0);
            auto u = ub.Get<int32_t>();
            Duplicate(u[256], int32_t{-1}, 8);
            // two fractals (m1 = 0, 1), one 32 B gap between them in UB
            DataCopy(u, c, DataCopyParams(2, 1, 0, 1), DataCopyEnhancedParams(BlockMode::BLOCK_MODE_MATRIX, DeqScale::DEQ_NONE, 0, 0, false, PAD_NONE, 0));
            SetFlag<HardEvent::V_MTE3>(0);
            WaitFlag<HardEvent::V_MTE3>(0);
            GlobalTensor<int32_t> g;
            g.SetGlobalBuffer(out.data(), out.size());
            DataCopy(g, u, static_cast<uint32_t>(out.size()));
        },
        {simtest::In("a", a_zz), simtest::In("b", b_zn), simtest::Out("out", out)});
    for (int m = 0; m < M; ++m) {
        for (int n = 0; n < N; ++n) {
            int32_t acc = 0;
            for (int k = 0; k < K; ++k) acc += int32_t{a_zz[ZzIndex(m, k, 1)]} * int32_t{b_zn[ZnIndex(k, n, 1)]};
            const int frac = m / 16;
            EXPECT_EQ(out[frac * (256 + 8) + (m % 16) * 16 + n], acc);
        }
    }
}
#endif

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
