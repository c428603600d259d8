// Gather (count form) and the int8 <-> half casts against hand-computed expectations, and the twin's refusals
// of what Gather.md and the 8.1 implementation rule out (see sim/include/sim/gather.h for the sources).
#include <cstring>
#include <vector>

#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;

namespace {

using simtest::InSync;
using simtest::OutSync;

// Fills `n` uint32 offsets with the scalar unit and orders them before the vector unit.
void PutOffsets(const LocalTensor<uint32_t>& t, const std::vector<uint32_t>& v) {
    for (size_t i = 0; i < v.size(); ++i) t.SetValue(static_cast<uint32_t>(i), v[i]);
    SetFlag<HardEvent::S_V>(0);
    WaitFlag<HardEvent::S_V>(0);
}

// One Gather<int16_t> of `offsets.size()` elements from a 512-element source copied in from GM; returns dst.
std::vector<int16_t> GatherInt16(const std::vector<uint32_t>& offsets, uint32_t base, uint32_t dst_elems = 0) {
    std::vector<int16_t> src(512);
    for (int i = 0; i < 512; ++i) src[i] = static_cast<int16_t>(1000 + i);
    const uint32_t count = static_cast<uint32_t>(offsets.size());
    const uint32_t out = dst_elems ? dst_elems : (count + 15) / 16 * 16;
    std::vector<int16_t> dst(out, -1);
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> s, d, o;
            pipe.InitBuffer(s, 512 * 2);
            pipe.InitBuffer(d, out * 2);
            pipe.InitBuffer(o, (count + 7) / 8 * 32);
            GlobalTensor<int16_t> gs, gd;
            gs.SetGlobalBuffer(src.data(), 512);
            gd.SetGlobalBuffer(dst.data(), out);
            DataCopy(s.Get<int16_t>(), gs, 512);
            InSync();
            PutOffsets(o.Get<uint32_t>(), offsets);
            Duplicate(d.Get<int16_t>(), int16_t{-1}, static_cast<int32_t>(out));
            PipeBarrier<PIPE_V>();
            Gather(d.Get<int16_t>(), s.Get<int16_t>(), o.Get<uint32_t>(), base, count);
            OutSync();
            DataCopy(gd, d.Get<int16_t>(), out);
        },
        {simtest::In("src", src), simtest::Out("dst", dst)});
    return dst;
}

}  // namespace

// dst[i] = src[(base + offset[i]) / 2]: a reversal of 200 elements (one full repeat of 128 and a tail of 72),
// read from srcBaseAddr = 64 bytes; elements past count keep their value.
TEST(GatherInt16ReversalWithBaseAndTail) {
    std::vector<uint32_t> off(200);
    for (uint32_t i = 0; i < 200; ++i) off[i] = 2 * (199 - i);
    const std::vector<int16_t> got = GatherInt16(off, 64, 208);
    for (uint32_t i = 0; i < 200; ++i) EXPECT_EQ(got[i], static_cast<int16_t>(1000 + 32 + 199 - i));
    for (uint32_t i = 200; i < 208; ++i) EXPECT_EQ(got[i], static_cast<int16_t>(-1));
}

// Repeated and arbitrary even offsets: a byte-granular transpose is what the 2002 kernel uses it for.
TEST(GatherInt16RepeatsAnElement) {
    const std::vector<uint32_t> off = {6, 6, 0, 1022, 98, 2, 6, 0, 14, 16, 18, 20, 22, 24, 26, 28};
    const std::vector<int16_t> got = GatherInt16(off, 0);
    for (size_t i = 0; i < off.size(); ++i) EXPECT_EQ(got[i], static_cast<int16_t>(1000 + off[i] / 2));
}

TEST(GatherRefusesAnOffsetNotElementAligned) {
    std::vector<uint32_t> off(16, 0);
    off[5] = 3;
    EXPECT_SIM_ERROR(GatherInt16(off, 0), "Gather", "srcBaseAddr + srcOffset[5] = 3", "multiple of the element size 2");
}

TEST(GatherRefusesAMisalignedBase) {
    EXPECT_SIM_ERROR(GatherInt16(std::vector<uint32_t>(16, 0), 1), "Gather", "srcBaseAddr = 1", "element size 2");
}

TEST(GatherRefusesAReadBeyondUb) {
    std::vector<uint32_t> off(16, 0);
    off[2] = 0x7FFFFFF0u;
    EXPECT_SIM_ERROR(GatherInt16(off, 0), "Gather", "srcOffset[2]", "beyond its", "inside UB");
}

// Counts needing more than 255 full repeats would wrap the uint8_t repeatTimes of the 8.1 count form: 256 x 64
// uint32 elements (the offsets are never read: the count is refused first).
TEST(GatherRefusesMoreThan255Repeats) {
    std::vector<uint32_t> y(8);
    EXPECT_SIM_ERROR(simtest::Run(
                         [&] {
                             if (!simtest::VectorCore0()) return;
                             TPipe pipe;
                             TBuf<TPosition::VECCALC> s, d, o;
                             pipe.InitBuffer(s, 32);
                             pipe.InitBuffer(d, 256 * 64 * 4);
                             pipe.InitBuffer(o, 256 * 64 * 4);
                             Gather(d.Get<uint32_t>(), s.Get<uint32_t>(), o.Get<uint32_t>(), 0, 256 * 64);
                         },
                         {simtest::Out("y", y)}),
                     "Gather", "count = 16384", "at most 255");
}

// src and dst in the same memory: refused (Gather.md 约束说明).
TEST(GatherRefusesOverlappingSrcAndDst) {
    std::vector<int16_t> y(64);
    EXPECT_SIM_ERROR(simtest::Run(
                         [&] {
                             if (!simtest::VectorCore0()) return;
                             TPipe pipe;
                             TBuf<TPosition::VECCALC> s, o;
                             pipe.InitBuffer(s, 256);
                             pipe.InitBuffer(o, 64);
                             Duplicate(s.Get<int16_t>(), int16_t{7}, 128);
                             std::vector<uint32_t> off(16);
                             for (uint32_t i = 0; i < 16; ++i) off[i] = 2 * i;
                             PutOffsets(o.Get<uint32_t>(), off);
                             PipeBarrier<PIPE_V>();
                             Gather(s.Get<int16_t>(), s.Get<int16_t>(), o.Get<uint32_t>(), 0, 16);
                         },
                         {simtest::Out("y", y)}),
                     "Gather", "overlap the source element", "must not be the same memory");
}

// int8 -> half (CAST_NONE, exact) and back (CAST_NONE on 2002 and 2201; CAST_TRUNC rounds toward zero).
TEST(CastInt8HalfRoundTrip) {
    std::vector<int8_t> src(256), back(256, 0), trunc(256, 0);
    for (int i = 0; i < 256; ++i) src[i] = static_cast<int8_t>(i - 128);
    simtest::Run(
        [&] {
            if (!simtest::VectorCore0()) return;
            TPipe pipe;
            TBuf<TPosition::VECCALC> a, h, b, t;
            pipe.InitBuffer(a, 256);
            pipe.InitBuffer(h, 512);
            pipe.InitBuffer(b, 256);
            pipe.InitBuffer(t, 256);
            GlobalTensor<int8_t> gs, gb, gt;
            gs.SetGlobalBuffer(src.data(), 256);
            gb.SetGlobalBuffer(back.data(), 256);
            gt.SetGlobalBuffer(trunc.data(), 256);
            DataCopy(a.Get<int8_t>(), gs, 256);
            InSync();
            Cast(h.Get<half>(), a.Get<int8_t>(), RoundMode::CAST_NONE, 256);
            PipeBarrier<PIPE_V>();
            Cast(b.Get<int8_t>(), h.Get<half>(), RoundMode::CAST_NONE, 256);
            // 0.5 steps: -64 + i / 2 for i < 256, truncated toward zero.
            Duplicate(h.Get<half>(), half(0.0f), 256);
            PipeBarrier<PIPE_V>();
            for (int i = 0; i < 256; ++i) h.Get<half>().SetValue(static_cast<uint32_t>(i), half(-64.0f + 0.5f * i));
            SetFlag<HardEvent::S_V>(0);
            WaitFlag<HardEvent::S_V>(0);
            Cast(t.Get<int8_t>(), h.Get<half>(), RoundMode::CAST_TRUNC, 256);
            OutSync();
            DataCopy(gb, b.Get<int8_t>(), 256);
            DataCopy(gt, t.Get<int8_t>(), 256);
        },
        {simtest::In("src", src), simtest::Out("back", back), simtest::Out("trunc", trunc)});
    for (int i = 0; i < 256; ++i) EXPECT_EQ(back[i], src[i]);
    for (int i = 0; i < 256; ++i) {
        const float v = -64.0f + 0.5f * i;
        EXPECT_EQ(trunc[i], static_cast<int8_t>(static_cast<int>(v)));
    }
}

#if __NPU_ARCH__ == 2002
// The Atlas 推理系列产品 AI Core table of Cast.md has no CAST_RINT for half -> int8.
TEST(CastHalfToInt8RintRefusedOn2002) {
    std::vector<int8_t> y(32);
    EXPECT_SIM_ERROR(simtest::Run(
                         [&] {
                             if (!simtest::VectorCore0()) return;
                             TPipe pipe;
                             TBuf<TPosition::VECCALC> h, b;
                             pipe.InitBuffer(h, 64);
                             pipe.InitBuffer(b, 32);
                             Duplicate(h.Get<half>(), half(1.0f), 32);
                             PipeBarrier<PIPE_V>();
                             Cast(b.Get<int8_t>(), h.Get<half>(), RoundMode::CAST_RINT, 32);
                         },
                         {simtest::Out("y", y)}),
                     "Cast: round_mode = CAST_RINT is not supported", "arch 2002");
}
#endif

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
