// Vector-side APIs and block queries against hand-computed expectations: DataCopy strides, DataCopyPad
// (2201), binary / scalar / duplicate ops in repeat and count forms with masks and strides, Cast rounding
// and saturation, And / Or, TransDataTo5HD, GetBlockIdx & co, per-pipe counters.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;

namespace {
template <typename T>
std::vector<T> Peek(const LocalTensor<T>& t, size_t n) {
    std::vector<T> v(n);
    std::memcpy(static_cast<void*>(v.data()), t.GetPhyAddr(), n * sizeof(T));
    return v;
}
using simtest::InSync;
using simtest::OutSync;
}  // namespace

// blockCount 3, blockLen 1 (32 B), srcStride 1, dstStride 2: block b from 64*b to 96*b.
TEST(DataCopyStridedBlocks) {
    std::vector<int32_t> src(48), dst(64, 0);
    for (int i = 0; i < 48; ++i) src[i] = i + 100;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> ub;
            pipe.InitBuffer(ub, 64 * 4);
            GlobalTensor<int32_t> gs, gd;
            gs.SetGlobalBuffer(src.data(), 48);
            gd.SetGlobalBuffer(dst.data(), 64);
            auto u = ub.Get<int32_t>();
            Duplicate(u, int32_t{0}, 64);
            SetFlag<HardEvent::V_MTE2>(0);
            WaitFlag<HardEvent::V_MTE2>(0);
            DataCopy(u, gs, DataCopyParams(3, 1, 1, 2));
            SetFlag<HardEvent::MTE2_MTE3>(0);
            WaitFlag<HardEvent::MTE2_MTE3>(0);
            DataCopy(gd, u, 64);
        },
        {simtest::In("src", src), simtest::Out("dst", dst)});
    for (int b = 0; b < 3; ++b) {
        for (int e = 0; e < 8; ++e) EXPECT_EQ(dst[b * 24 + e], src[b * 16 + e]);
        for (int e = 8; e < 24 && b * 24 + e < 64; ++e) EXPECT_EQ(dst[b * 24 + e], 0);
    }
}

#if __NPU_ARCH__ == 2201
// GM -> UB: 2 blocks of 5 int16 (10 B), GM gap 2 B, pads left 1 / right 2 with value -3; UB -> GM writes
// exactly blockLen bytes per block with a GM gap.
TEST(DataCopyPadBytesPaddingGaps) {
    std::vector<int16_t> src(12), dst(16, 99);
    for (int i = 0; i < 12; ++i) src[i] = static_cast<int16_t>(i + 1);
    std::vector<int16_t> ub_view;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> ub;
            pipe.InitBuffer(ub, 64);
            GlobalTensor<int16_t> gs, gd;
            gs.SetGlobalBuffer(src.data(), 12);
            gd.SetGlobalBuffer(dst.data(), 16);
            auto u = ub.Get<int16_t>();
            DataCopyPad(u, gs, DataCopyExtParams(2, 10, 2, 0, 0), DataCopyPadExtParams<int16_t>(true, 1, 2, -3));
            ub_view = Peek(u, 32);
            SetFlag<HardEvent::MTE2_MTE3>(0);
            WaitFlag<HardEvent::MTE2_MTE3>(0);
            // 7 elements (pad, data, pad) of each 32 B UB block; a 2-byte gap in GM between blocks
            DataCopyPad(gd, u, DataCopyExtParams(2, 14, 0, 2, 0));
        },
        {simtest::In("src", src), {"dst", dst.data(), dst.size() * 2, qconv::sim::GmRole::kWorkspace}});
    // UB block 0: [-3][1..5][-3 -3] ; block 1 starts at 32 B: [-3][7..11][-3 -3]
    EXPECT_EQ(ub_view[0], -3);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(ub_view[1 + i], i + 1);
    EXPECT_EQ(ub_view[6], -3);
    EXPECT_EQ(ub_view[7], -3);
    EXPECT_EQ(ub_view[16], -3);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(ub_view[17 + i], i + 7);
    EXPECT_EQ(dst[0], -3);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(dst[1 + i], i + 1);
    EXPECT_EQ(dst[6], -3);
    EXPECT_EQ(dst[7], 99);
    EXPECT_EQ(dst[8], -3);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(dst[9 + i], i + 7);
    EXPECT_EQ(dst[14], -3);
    EXPECT_EQ(dst[15], 99);
}
#endif

// Repeat form: Add on int32 with a bit mask of lanes {0, 5, 63}, src1RepStride 0 (broadcast), two
// repeats: masked-off lanes keep their old values. Then Mul float with continuous mask 10.
TEST(BinaryRepeatFormMaskAndStrides) {
    std::vector<int32_t> got;
    std::vector<float> gotf;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> a, b, c, f;
            pipe.InitBuffer(a, 128 * 4);
            pipe.InitBuffer(b, 64 * 4);
            pipe.InitBuffer(c, 128 * 4);
            pipe.InitBuffer(f, 64 * 4);
            auto ta = a.Get<int32_t>(), tb = b.Get<int32_t>(), tc = c.Get<int32_t>();
            for (int i = 0; i < 128; ++i) ta.SetValue(i, i);
            for (int i = 0; i < 64; ++i) tb.SetValue(i, 1000 * (i + 1));
            SetFlag<HardEvent::S_V>(0);
            WaitFlag<HardEvent::S_V>(0);
            Duplicate(tc, int32_t{-5}, 128);
            PipeBarrier<PIPE_V>();  // dependent vector instructions: required on arch 2002
            uint64_t mask[2] = {(1ull << 0) | (1ull << 5) | (1ull << 63), 0};
            Add(tc, ta, tb, mask, 2, BinaryRepeatParams(1, 1, 1, 8, 8, 0));
            got = Peek(tc, 128);
            auto tf = f.Get<float>();
            Duplicate(tf, 2.5f, 64);
            PipeBarrier<PIPE_V>();
            Mul(tf, tf, tf, uint64_t{10}, 1, BinaryRepeatParams());
            gotf = Peek(tf, 64);
        },
        {});
    for (int r = 0; r < 2; ++r) {
        for (int l = 0; l < 64; ++l) {
            const bool on = l == 0 || l == 5 || l == 63;
            EXPECT_EQ(got[r * 64 + l], on ? (r * 64 + l) + 1000 * (l + 1) : -5);
        }
    }
    for (int l = 0; l < 64; ++l) EXPECT_EQ(gotf[l], l < 10 ? 6.25f : 2.5f);
}

TEST(ScalarOpsCountForm) {
    std::vector<float> got;
    std::vector<int16_t> bits;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> a, u;
            pipe.InitBuffer(a, 72 * 4);
            pipe.InitBuffer(u, 32 * 2);
            auto t = a.Get<float>();
            for (int i = 0; i < 72; ++i) t.SetValue(i, static_cast<float>(i) * 1000.0f - 30000.0f);
            SetFlag<HardEvent::S_V>(0);
            WaitFlag<HardEvent::S_V>(0);
            Muls(t, t, 1.5f, 72);
            PipeBarrier<PIPE_V>();  // dependent vector instructions: required on arch 2002
            Maxs(t, t, -20000.0f, 72);
            PipeBarrier<PIPE_V>();
            Mins(t, t, 40000.0f, 72);
            PipeBarrier<PIPE_V>();
            Adds(t, t, 0.25f, 72);
            got = Peek(t, 72);
            auto v = u.Get<int16_t>();
            Duplicate(v, int16_t{0x0F0F}, 32);
            auto w = v[16];
            Duplicate(w, int16_t{0x00FF}, 16);
            PipeBarrier<PIPE_V>();
            And(v, v, w, 16);
            PipeBarrier<PIPE_V>();
            Or(w, w, v, 16);
            bits = Peek(v, 32);
        },
        {});
    for (int i = 0; i < 72; ++i) {
        const float x = (static_cast<float>(i) * 1000.0f - 30000.0f) * 1.5f;
        EXPECT_EQ(got[i], std::fmin(std::fmax(x, -20000.0f), 40000.0f) + 0.25f);
    }
    EXPECT_EQ(bits[0], 0x000F);
    EXPECT_EQ(bits[16], 0x00FF);
}

TEST(DuplicateRepeatBlockStride) {
    std::vector<int32_t> got;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> a;
            pipe.InitBuffer(a, 256 * 4);
            auto t = a.Get<int32_t>();
            Duplicate(t, int32_t{0}, 256);
            // 8 blocks per repeat, block stride 2, repeat stride 16 blocks, lanes 0..63
            Duplicate(t, int32_t{7}, uint64_t{64}, 2, 2, 16);
            got = Peek(t, 256);
        },
        {});
    for (int i = 0; i < 256; ++i) {
        const int block = i / 8;
        EXPECT_EQ(got[i], block % 2 == 0 ? 7 : 0);
    }
}

// Cast rounding (precision_conversion.md): int32 -> float above 2^24, float -> half ties, saturation and NaN.
TEST(CastRoundingAndSaturation) {
    const int32_t ints[8] = {16777217, -16777217, 16777219, 1, -3, 33554435, 0, 2147483647};
    const float floats[16] = {70000.0f, 65519.0f, 65520.0f, 1.0f + 1.0f / 2048.0f, -1.0f - 1.0f / 2048.0f,
                              std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(),
                              0x1p-25f, 3.0f * 0x1p-26f, 1.0f + 3.0f / 2048.0f, 0.1f, -0.0f, 2.0f, 65504.0f,
                              -70000.0f, 1e-10f};
    std::vector<float> as_float[3];
    std::vector<half> as_half[3];
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> ib, fb, ob, hb;
            pipe.InitBuffer(ib, 8 * 4);
            pipe.InitBuffer(fb, 16 * 4);
            pipe.InitBuffer(ob, 8 * 4);
            pipe.InitBuffer(hb, 16 * 2);
            auto ti = ib.Get<int32_t>();
            auto tf = fb.Get<float>();
            for (int i = 0; i < 8; ++i) ti.SetValue(i, ints[i]);
            for (int i = 0; i < 16; ++i) tf.SetValue(i, floats[i]);
            SetFlag<HardEvent::S_V>(0);
            WaitFlag<HardEvent::S_V>(0);
            auto to = ob.Get<float>();
            auto th = hb.Get<half>();
#if __NPU_ARCH__ == 2201
            const RoundMode modes[3] = {RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_ROUND};
            const RoundMode hmodes[3] = {RoundMode::CAST_RINT, RoundMode::CAST_CEIL, RoundMode::CAST_TRUNC};
#else
            const RoundMode modes[3] = {RoundMode::CAST_NONE, RoundMode::CAST_NONE, RoundMode::CAST_NONE};
            const RoundMode hmodes[3] = {RoundMode::CAST_NONE, RoundMode::CAST_ODD, RoundMode::CAST_NONE};
#endif
            for (int m = 0; m < 3; ++m) {
                Cast(to, ti, modes[m], 8);
                as_float[m] = Peek(to, 8);
                Cast(th, tf, hmodes[m], 16);
                as_half[m] = Peek(th, 16);
            }
        },
        {});
    // RINT
    EXPECT_EQ(as_float[0][0], 16777216.0f);
    EXPECT_EQ(as_float[0][1], -16777216.0f);
    EXPECT_EQ(as_float[0][2], 16777220.0f);
    EXPECT_EQ(as_float[0][5], 33554436.0f);
    EXPECT_EQ(as_float[0][7], 2147483648.0f);
#if __NPU_ARCH__ == 2201
    // FLOOR / ROUND (half away from zero)
    EXPECT_EQ(as_float[1][0], 16777216.0f);
    EXPECT_EQ(as_float[1][1], -16777218.0f);
    EXPECT_EQ(as_float[1][5], 33554432.0f);
    EXPECT_EQ(as_float[2][0], 16777218.0f);
    EXPECT_EQ(as_float[2][1], -16777218.0f);
    EXPECT_EQ(as_float[2][2], 16777220.0f);
    // CEIL and TRUNC to half
    EXPECT_EQ(as_half[1][3].bits, 0x3C01);
    EXPECT_EQ(as_half[2][3].bits, 0x3C00);
    EXPECT_EQ(as_half[1][4].bits, 0xBC00);
    EXPECT_EQ(as_half[2][9].bits, 0x3C01);
    EXPECT_EQ(as_half[1][0].bits, 0x7BFF);  // saturated in every mode
#else
    // ODD: inexact results get an odd last bit
    EXPECT_EQ(as_half[1][3].bits, 0x3C01);
    EXPECT_EQ(as_half[1][12].bits, 0x4000);
#endif
    // RNE to half, saturation to +-65504, NaN -> 0, subnormals
    const uint16_t want[16] = {0x7BFF, 0x7BFF, 0x7BFF, 0x3C00, 0xBC00, 0x0000, 0xFBFF, 0x0000,
                               0x0001, 0x3C02, 0x2E66, 0x8000, 0x4000, 0x7BFF, 0xFBFF, 0x0000};
    for (int i = 0; i < 16; ++i) EXPECT_EQ(as_half[0][i].bits, want[i]);
}

// TransDataTo5HD b16: dst_j[i] = src_i[j]; b8 with srcHighHalf / dstHighHalf.
TEST(TransDataTo5HDB16AndB8) {
    std::vector<int16_t> out16;
    std::vector<int8_t> out8;
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> s, d, s8, d8;
            pipe.InitBuffer(s, 512);
            pipe.InitBuffer(d, 512);
            pipe.InitBuffer(s8, 512);
            pipe.InitBuffer(d8, 512);
            auto ts = s.Get<int16_t>();
            for (int i = 0; i < 256; ++i) ts.SetValue(i, static_cast<int16_t>(i));
            auto t8 = s8.Get<int8_t>();
            for (int i = 0; i < 512; ++i) t8.SetValue(i, static_cast<int8_t>(i % 127));
            auto td = d.Get<int16_t>();
            auto td8 = d8.Get<int8_t>();
            Duplicate(td8.ReinterpretCast<int16_t>(), int16_t{0}, 256);
            SetFlag<HardEvent::S_V>(0);
            WaitFlag<HardEvent::S_V>(0);
            LocalTensor<int16_t> dl[16], sl[16];
            LocalTensor<int8_t> dl8[16], sl8[16];
            for (int i = 0; i < 16; ++i) {
                dl[i] = td[i * 16];
                sl[i] = ts[i * 16];
                dl8[i] = td8[i * 32];
                sl8[i] = t8[i * 32];
            }
            TransDataTo5HD<int16_t>(dl, sl, TransDataTo5HDParams(false, false, 1, 0, 0));
            TransDataTo5HD<int8_t>(dl8, sl8, TransDataTo5HDParams(true, true, 1, 0, 0));
            out16 = Peek(td, 256);
            out8 = Peek(td8, 512);
        },
        {});
    for (int j = 0; j < 16; ++j)
        for (int i = 0; i < 16; ++i) EXPECT_EQ(out16[j * 16 + i], i * 16 + j);
    for (int j = 0; j < 16; ++j) {
        for (int i = 0; i < 16; ++i) {
            EXPECT_EQ(out8[j * 32 + 16 + i], static_cast<int8_t>((i * 32 + 16 + j) % 127));
            EXPECT_EQ(out8[j * 32 + i], 0);
        }
    }
}

TEST(BlockQueriesPerCore) {
    std::vector<int64_t> seen(64, -1);
    simtest::Run(
        [&] {
            const int64_t idx = GetBlockIdx();
#if __NPU_ARCH__ == 2201
            const int slot = ASCEND_IS_AIC ? static_cast<int>(idx) : 8 + static_cast<int>(idx);
            seen[slot * 4 + 0] = idx;
            seen[slot * 4 + 1] = GetBlockNum();
            seen[slot * 4 + 2] = GetSubBlockIdx();
            seen[slot * 4 + 3] = GetTaskRation();
#else
            seen[idx * 4 + 0] = idx;
            seen[idx * 4 + 1] = GetBlockNum();
            seen[idx * 4 + 2] = GetSubBlockIdx();
            seen[idx * 4 + 3] = GetTaskRation();
            EXPECT_TRUE(!ASCEND_IS_AIC && !ASCEND_IS_AIV);
#endif
        },
        {}, 3);
#if __NPU_ARCH__ == 2201
    for (int b = 0; b < 3; ++b) {
        EXPECT_EQ(seen[b * 4 + 0], b);
        EXPECT_EQ(seen[b * 4 + 1], 3);
        EXPECT_EQ(seen[b * 4 + 3], 1);
    }
    for (int v = 0; v < 6; ++v) {
        EXPECT_EQ(seen[(8 + v) * 4 + 0], v);
        EXPECT_EQ(seen[(8 + v) * 4 + 1], 3);
        EXPECT_EQ(seen[(8 + v) * 4 + 2], v % 2);
        EXPECT_EQ(seen[(8 + v) * 4 + 3], 2);
    }
#else
    for (int b = 0; b < 3; ++b) {
        EXPECT_EQ(seen[b * 4 + 0], b);
        EXPECT_EQ(seen[b * 4 + 2], 0);
        EXPECT_EQ(seen[b * 4 + 3], 1);
    }
#endif
}

// Counters: instructions and bytes per pipe per core.
TEST(PipeCountersPerCore) {
    std::vector<float> src(128), dst(128);
    auto r = simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> a;
            pipe.InitBuffer(a, 512);
            GlobalTensor<float> gs, gd;
            gs.SetGlobalBuffer(src.data(), 128);
            gd.SetGlobalBuffer(dst.data(), 128);
            auto t = a.Get<float>();
            DataCopy(t, gs, DataCopyParams(2, 8, 0, 0));
            InSync();
            Muls(t, t, 2.0f, 128);
            PipeBarrier<PIPE_V>();  // dependent vector instructions: required on arch 2002 (not counted)
            Adds(t, t, 1.0f, 100);
            OutSync();
            DataCopy(gd, t, 128);
        },
        {simtest::In("src", src), simtest::Out("dst", dst)});
    const auto& core = r.cores[simtest::TestSoc().topology == qconv::CoreTopology::kSplit ? 1 : 0];
    const auto& v = core.counters.pipe[static_cast<int>(qconv::sim::Pipe::kV)];
    const auto& m2 = core.counters.pipe[static_cast<int>(qconv::sim::Pipe::kMte2)];
    const auto& m3 = core.counters.pipe[static_cast<int>(qconv::sim::Pipe::kMte3)];
    EXPECT_EQ(v.instructions, 2u);
    EXPECT_EQ(v.elements, 228u);
    EXPECT_EQ(m2.instructions, 1u);
    EXPECT_EQ(m2.bytes, 512u);
    EXPECT_EQ(m3.bytes, 512u);
}

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
