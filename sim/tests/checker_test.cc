// Every checker of the twin proven to fire by a deliberately broken mini-kernel (and one positive control
// per protocol): bounds, alignment, lifetime, poison reaching GM, missing synchronization, flag misuse,
// cross-core deadlock / unmatched flags / counter overflow, SyncAll deadlock, queue and pipe misuse, and
// arch-specific APIs called on the wrong arch.
#include <vector>

#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;
using simtest::In;
using simtest::Out;
using simtest::Run;

using simtest::OutSync;

TEST(OutOfBoundsLocal) {
    std::vector<int32_t> x(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 32);
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(x.data(), 64);
        DataCopy(b.Get<int32_t>(), g, DataCopyParams(2, 1, 0, 0));
    }, {In("x", x)}), "DataCopy(GM->local)", "out-of-bounds", "destination", "bytes [0, 64)", "UB of");
}

// The kernel used by the QCONV_SIM_ABORT=1 check of tests/test_sim_api.py as well.
TEST(AbortOnViolation) {
    std::vector<int32_t> y(8);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 64);
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(y.data(), 8);
        Duplicate(b.Get<int32_t>(), 1, 16);
        OutSync();
        DataCopy(g, b.Get<int32_t>(), 16);
    }, {Out("y", y)}), "DataCopy(local->GM)", "out-of-bounds", "GM y", "holds 32 bytes");
}

TEST(MisalignedUbOperand) {
    std::vector<int32_t> x(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(x.data(), 64);
        DataCopy(b.Get<int32_t>()[4], g, 8);
    }, {In("x", x)}), "misaligned", "offset 16", "multiple of 32");
}

TEST(MisalignedL0cForMmad) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::CubeCore0()) return;
        TPipe pipe;
        TBuf<TPosition::A2> a;
        TBuf<TPosition::B2> bb;
        TBuf<TPosition::CO1> c;
        pipe.InitBuffer(a, 512);
        pipe.InitBuffer(bb, 512);
        pipe.InitBuffer(c, 4096);
        Mmad(c.Get<int32_t>()[128], a.Get<int8_t>(), bb.Get<int8_t>(), MmadParams(16, 16, 32, 0, false, true));
    }, {}), "Mmad", "misaligned dst", "1024");
}

TEST(UseAfterFreeTensor) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECOUT, 1> q;
        pipe.InitBuffer(q, 2, 256);
        auto t = q.AllocTensor<float>();
        q.FreeTensor(t);
        Duplicate(t, 1.0f, 64);
    }, {}), "Duplicate", "after FreeTensor", "buffer 0");
}

TEST(PoisonNeverWrittenOutput) {
    std::vector<float> y(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> g;
        g.SetGlobalBuffer(y.data(), 64);
        Duplicate(b.Get<float>(), 1.0f, 32);
        OutSync();
        DataCopy(g, b.Get<float>(), 32);  // the second half of y is never written
    }, {Out("y", y)}), "undefined data reached the output GM y", "bytes [128, 256)", "never-written GM y");
}

TEST(PoisonFlowsThroughCompute) {
    std::vector<float> y(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> a, b;
        pipe.InitBuffer(a, 256);
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> g;
        g.SetGlobalBuffer(y.data(), 64);
        Duplicate(a.Get<float>(), 1.0f, 60);  // 4 lanes stay never-written
        PipeBarrier<PIPE_V>();
        Muls(b.Get<float>(), a.Get<float>(), 3.0f, 64);
        OutSync();
        DataCopy(g, b.Get<float>(), 64);
    }, {Out("y", y)}), "undefined data reached the output GM y", "bytes [240, 256)", "never-written UB of");
}

#if __NPU_ARCH__ == 2201
// Rows of L0C beyond Mmad's m are undefined: a Fixpipe that writes them out is caught with the origin.
TEST(PoisonFromMmadTailRows) {
    std::vector<int8_t> a(512, 1), b(512, 1);
    std::vector<int32_t> y(16 * 16);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::CubeCore0()) return;
        TPipe pipe;
        TBuf<TPosition::A1> l1a;
        TBuf<TPosition::B1> l1b;
        TBuf<TPosition::A2> l0a;
        TBuf<TPosition::B2> l0b;
        TBuf<TPosition::CO1> l0c;
        pipe.InitBuffer(l1a, 512);
        pipe.InitBuffer(l1b, 512);
        pipe.InitBuffer(l0a, 512);
        pipe.InitBuffer(l0b, 512);
        pipe.InitBuffer(l0c, 1024);
        GlobalTensor<int8_t> ga, gb;
        ga.SetGlobalBuffer(a.data(), 512);
        gb.SetGlobalBuffer(b.data(), 512);
        DataCopy(l1a.Get<int8_t>(), ga, 512);
        DataCopy(l1b.Get<int8_t>(), gb, 512);
        SetFlag<HardEvent::MTE2_MTE1>(0);
        WaitFlag<HardEvent::MTE2_MTE1>(0);
        LoadData(l0a.Get<int8_t>(), l1a.Get<int8_t>(), LoadData2DParams(0, 1, 1, 0, 0, false, 0));
        LoadData(l0b.Get<int8_t>(), l1b.Get<int8_t>(), LoadData2DParams(0, 1, 1, 0, 0, false, 0));
        SetFlag<HardEvent::MTE1_M>(0);
        WaitFlag<HardEvent::MTE1_M>(0);
        Mmad(l0c.Get<int32_t>(), l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(10, 16, 32, 0, false, true));
        SetFlag<HardEvent::M_FIX>(0);
        WaitFlag<HardEvent::M_FIX>(0);
        GlobalTensor<int32_t> gy;
        gy.SetGlobalBuffer(y.data(), y.size());
        Fixpipe<int32_t, int32_t, CFG_ROW_MAJOR>(gy, l0c.Get<int32_t>(), FixpipeParamsV220(16, 16, 16, 16, false));
    }, {In("a", a), In("b", b), Out("y", y)}), "undefined data reached the output GM y", "bytes [640, 1024)",
                     "Mmad: L0C rows >= m");
}

// AIC writes the workspace with Fixpipe, an AIV reads it with no cross-core flag.
TEST(MissingCrossCoreSync) {
    std::vector<int32_t> ws(256, 0);
    EXPECT_SIM_ERROR(Run([&] {
        TPipe pipe;
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(ws.data(), 256);
        if (ASCEND_IS_AIC) {
            TBuf<TPosition::CO1> l0c;
            TBuf<TPosition::A2> l0a;
            TBuf<TPosition::B2> l0b;
            pipe.InitBuffer(l0c, 1024);
            pipe.InitBuffer(l0a, 512);
            pipe.InitBuffer(l0b, 512);
            Mmad(l0c.Get<int32_t>(), l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(16, 16, 32, 0, false, true));
            SetFlag<HardEvent::M_FIX>(0);
            WaitFlag<HardEvent::M_FIX>(0);
            Fixpipe<int32_t, int32_t, CFG_NZ>(g, l0c.Get<int32_t>(), FixpipeParamsV220(16, 16, 16, 32, false));
        } else if (GetSubBlockIdx() == 0) {
            TBuf<TPosition::VECCALC> ub;
            pipe.InitBuffer(ub, 1024);
            DataCopy(ub.Get<int32_t>(), g, 256);
        }
    }, {simtest::Ws("ws", ws)}), "missing synchronization", "DataCopy(GM->local) on PIPE MTE2", "GM ws",
                     "Fixpipe on PIPE FIXPIPE of aic0");
}

// The same hand-off with mode-2 flags in both directions passes (positive control).
TEST(CrossCoreHandshakePasses) {
    std::vector<int32_t> ws(256, 0);
    std::vector<int32_t> y(512, 0);
    std::vector<int8_t> a(512, 1), b(512, 2);
    Run([&] {
        TPipe pipe;
        GlobalTensor<int32_t> g, gy;
        g.SetGlobalBuffer(ws.data(), 256);
        gy.SetGlobalBuffer(y.data(), 512);
        if (ASCEND_IS_AIC) {
            TBuf<TPosition::A1> l1a;
            TBuf<TPosition::B1> l1b;
            TBuf<TPosition::CO1> l0c;
            TBuf<TPosition::A2> l0a;
            TBuf<TPosition::B2> l0b;
            pipe.InitBuffer(l1a, 512);
            pipe.InitBuffer(l1b, 512);
            pipe.InitBuffer(l0c, 1024);
            pipe.InitBuffer(l0a, 512);
            pipe.InitBuffer(l0b, 512);
            GlobalTensor<int8_t> ga, gb;
            ga.SetGlobalBuffer(a.data(), 512);
            gb.SetGlobalBuffer(b.data(), 512);
            DataCopy(l1a.Get<int8_t>(), ga, 512);
            DataCopy(l1b.Get<int8_t>(), gb, 512);
            SetFlag<HardEvent::MTE2_MTE1>(0);
            WaitFlag<HardEvent::MTE2_MTE1>(0);
            LoadData(l0a.Get<int8_t>(), l1a.Get<int8_t>(), LoadData2DParams(0, 1, 1, 0, 0, false, 0));
            LoadData(l0b.Get<int8_t>(), l1b.Get<int8_t>(), LoadData2DParams(0, 1, 1, 0, 0, false, 0));
            SetFlag<HardEvent::MTE1_M>(0);
            WaitFlag<HardEvent::MTE1_M>(0);
            Mmad(l0c.Get<int32_t>(), l0a.Get<int8_t>(), l0b.Get<int8_t>(), MmadParams(16, 16, 32, 0, false, true));
            SetFlag<HardEvent::M_FIX>(0);
            WaitFlag<HardEvent::M_FIX>(0);
            CrossCoreWaitFlag(4);  // slot credit from both AIVs
            Fixpipe<int32_t, int32_t, CFG_NZ>(g, l0c.Get<int32_t>(), FixpipeParamsV220(16, 16, 16, 32, false));
            CrossCoreSetFlag<2, PIPE_FIX>(0);
            CrossCoreWaitFlag(4);  // drain
        } else {
            TBuf<TPosition::VECCALC> ub;
            pipe.InitBuffer(ub, 1024);
            CrossCoreSetFlag<2, PIPE_MTE2>(4);
            CrossCoreWaitFlag(0);
            auto u = ub.Get<int32_t>();
            DataCopy(u, g, 256);
            CrossCoreSetFlag<2, PIPE_MTE2>(4);
            SetFlag<HardEvent::MTE2_MTE3>(0);
            WaitFlag<HardEvent::MTE2_MTE3>(0);
            DataCopy(gy[GetSubBlockIdx() * 256], u, 256);
        }
    }, {In("a", a), In("b", b), simtest::Ws("ws", ws), Out("y", y)});
    for (int i = 0; i < 512; ++i) EXPECT_EQ(y[i], 64);
}

TEST(CrossCoreDeadlock) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIC) CrossCoreWaitFlag(3);
    }, {}), "deadlock", "aic0 waits in CrossCoreWaitFlag(3)", "finished: aiv0, aiv1");
}

TEST(CrossCoreUnmatchedSet) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIC) CrossCoreSetFlag<2, PIPE_FIX>(1);
    }, {}), "end of kernel", "cross-core flag 1 of aiv0", "unmatched CrossCoreSetFlag");
}

TEST(CrossCoreOneAivOnly) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIV && GetSubBlockIdx() == 1) CrossCoreSetFlag<2, PIPE_MTE2>(5);
    }, {}), "flag 5 from aiv1", "no matching set from the other AIV");
}

TEST(CrossCoreCounterOverflow) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIC)
            for (int i = 0; i < 16; ++i) CrossCoreSetFlag<2, PIPE_MTE2>(2);
    }, {}), "exceed 15 outstanding sets");
}

TEST(CrossCoreFlagIdRange) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIC) CrossCoreSetFlag<2, PIPE_MTE2>(16);
    }, {}), "flagId = 16 is out of the allowed range [0, 15]");
}

TEST(SyncAllWithAMissingCoreDeadlocks) {
    EXPECT_SIM_ERROR(Run([&] {
        if (ASCEND_IS_AIV && GetBlockIdx() == 3) return;
        SyncAll<false>();
    }, {}, 2), "deadlock", "SyncAll<false>()", "aiv3");
}

TEST(SyncAllOrdersAllCores) {
    std::vector<int32_t> ws(64, 0), y(64, 0);
    Run([&] {
        if (!ASCEND_IS_AIV) {
            SyncAll<false>();
            SyncAll<false>();
            return;
        }
        TPipe pipe;
        TBuf<TPosition::VECCALC> ub;
        pipe.InitBuffer(ub, 256);
        GlobalTensor<int32_t> g, gy;
        g.SetGlobalBuffer(ws.data(), 64);
        gy.SetGlobalBuffer(y.data(), 64);
        auto u = ub.Get<int32_t>();
        const int64_t me = GetBlockIdx();
        Duplicate(u, static_cast<int32_t>(me + 1), 8);
        OutSync();
        DataCopy(g[me * 8], u, 8);
        SyncAll<false>();
        // read what the next AIV wrote: ordered by SyncAll
        DataCopy(u, g[((me + 1) % 4) * 8], 8);
        SetFlag<HardEvent::MTE2_MTE3>(0);
        WaitFlag<HardEvent::MTE2_MTE3>(0);
        DataCopy(gy[me * 8], u, 8);
        SyncAll<false>();
    }, {simtest::Ws("ws", ws), {"y", y.data(), 32 * 4, qconv::sim::GmRole::kOutput}}, 2);
    for (int v = 0; v < 4; ++v)
        for (int e = 0; e < 8; ++e) EXPECT_EQ(y[v * 8 + e], (v + 1) % 4 + 1);
}
#endif

TEST(MissingIntraCoreSync) {
    std::vector<float> x(64), y(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> gx, gy;
        gx.SetGlobalBuffer(x.data(), 64);
        gy.SetGlobalBuffer(y.data(), 64);
        DataCopy(b.Get<float>(), gx, 64);
        Muls(b.Get<float>(), b.Get<float>(), 2.0f, 64);  // no MTE2 -> V flag
        OutSync();
        DataCopy(gy, b.Get<float>(), 64);
    }, {In("x", x), Out("y", y)}), "missing synchronization", "Muls on PIPE VECTOR", "DataCopy(GM->local) on PIPE MTE2");
}

// Double buffering without the consumer -> producer flag: MTE2 refills a buffer the vector unit read.
TEST(MissingWriteAfterReadSync) {
    std::vector<float> x(128, 1.0f);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> a, b;
        pipe.InitBuffer(a, 256);
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> gx;
        gx.SetGlobalBuffer(x.data(), 128);
        DataCopy(a.Get<float>(), gx, 64);
        SetFlag<HardEvent::MTE2_V>(0);
        WaitFlag<HardEvent::MTE2_V>(0);
        Muls(b.Get<float>(), a.Get<float>(), 2.0f, 64);
        DataCopy(a.Get<float>(), gx[64], 64);  // no V -> MTE2 flag: may overwrite before Muls read it
    }, {In("x", x)}), "write after read", "DataCopy(GM->local) on PIPE MTE2 overwrites UB of",
                     "still being read by Muls on PIPE VECTOR");
}

TEST(WriteAfterReadWithFlagPasses) {
    std::vector<float> x(128, 1.0f);
    Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> a, b;
        pipe.InitBuffer(a, 256);
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> gx;
        gx.SetGlobalBuffer(x.data(), 128);
        DataCopy(a.Get<float>(), gx, 64);
        SetFlag<HardEvent::MTE2_V>(0);
        WaitFlag<HardEvent::MTE2_V>(0);
        Muls(b.Get<float>(), a.Get<float>(), 2.0f, 64);
        SetFlag<HardEvent::V_MTE2>(0);
        WaitFlag<HardEvent::V_MTE2>(0);
        DataCopy(a.Get<float>(), gx[64], 64);
    }, {In("x", x)});
}

TEST(QueueHandOffIsASync) {
    std::vector<float> x(64, 1.5f), y(64);
    Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECIN, 1> qi;
        TQue<TPosition::VECOUT, 1> qo;
        pipe.InitBuffer(qi, 2, 256);
        pipe.InitBuffer(qo, 2, 256);
        GlobalTensor<float> gx, gy;
        gx.SetGlobalBuffer(x.data(), 64);
        gy.SetGlobalBuffer(y.data(), 64);
        for (int it = 0; it < 3; ++it) {
            auto a = qi.AllocTensor<float>();
            DataCopy(a, gx, 64);
            qi.EnQue(a);
            auto b = qi.DeQue<float>();
            auto c = qo.AllocTensor<float>();
            Muls(c, b, 2.0f, 64);
            qi.FreeTensor(b);
            qo.EnQue(c);
            auto d = qo.DeQue<float>();
            DataCopy(gy, d, 64);
            qo.FreeTensor(d);
        }
    }, {In("x", x), Out("y", y)});
    for (float v : y) EXPECT_EQ(v, 3.0f);
}

TEST(SetFlagTwice) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        SetFlag<HardEvent::MTE2_V>(1);
        SetFlag<HardEvent::MTE2_V>(1);
    }, {}), "SetFlag<MTE2_V>(1)", "already set");
}

TEST(WaitFlagWithoutSet) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        WaitFlag<HardEvent::V_MTE3>(2);
    }, {}), "WaitFlag<V_MTE3>(2)", "no SetFlag");
}

TEST(FlagLeftSetAtEnd) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        SetFlag<HardEvent::V_MTE3>(3);
    }, {}), "end of kernel", "V_MTE3 id 3", "never waited");
}

TEST(AllocTensorExhausted) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECIN, 2> q;
        pipe.InitBuffer(q, 2, 64);
        q.AllocTensor<float>();
        q.AllocTensor<float>();
        q.AllocTensor<float>();
    }, {}), "AllocTensor", "all 2 buffers", "spins forever");
}

TEST(DeQueEmpty) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECIN, 1> q;
        pipe.InitBuffer(q, 1, 64);
        q.DeQue<float>();
    }, {}), "DeQue", "is empty");
}

TEST(TwoLiveTPipes) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe a;
        TPipe b;
    }, {}), "second TPipe");
}

TEST(InitBufferOverflow) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECIN, 1> q;
        pipe.InitBuffer(q, 2, 200 * 1024);
    }, {}), "InitBuffer", "exceed the UB size");
}

TEST(CountNotWholeBlocks) {
    std::vector<float> x(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> g;
        g.SetGlobalBuffer(x.data(), 64);
        DataCopy(b.Get<float>(), g, 10);
    }, {In("x", x)}), "calCount = 10", "not a multiple of 32 bytes");
}

TEST(GlobalTensorOutsideArguments) {
    std::vector<float> other(64);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        GlobalTensor<float> g;
        g.SetGlobalBuffer(other.data(), 64);
        g.GetValue(0);
    }, {}), "GlobalTensor::GetValue", "not inside any GM argument buffer");
}

TEST(UnsupportedCastMode) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> a, b;
        pipe.InitBuffer(a, 256);
        pipe.InitBuffer(b, 256);
        Cast(b.Get<float>(), a.Get<int32_t>(), RoundMode::CAST_ODD, 64);
    }, {}), "Cast", "CAST_ODD", "not supported");
}

TEST(KernelExceptionSurfaces) {
    EXPECT_SIM_ERROR(Run([&] { throw std::runtime_error("boom"); }, {}), "the kernel threw boom");
}

TEST(BlockDimRange) {
    EXPECT_SIM_ERROR(qconv::sim::LaunchBody(simtest::TestSoc(2), 3, [] {}, {}, __NPU_ARCH__),
                     "block_dim = 3 is out of the allowed range [1, 2]");
}

#if __NPU_ARCH__ == 2002
// GlobalTensor::SetValue goes into the core's DCache (sim/dcache.h): GM changes only at a write-back, a scalar
// load sees the cached value, and DataCacheCleanAndInvalid writes the line out.
TEST(ScalarStoreReachesGmAtWriteBack) {
    std::vector<int8_t> y(128, 0);
    int8_t gm_before = -1, loaded = -1, gm_after = -1, other_line = -1;
    Run([&] {
        if (!simtest::VectorCore0()) return;
        GlobalTensor<int8_t> g;
        g.SetGlobalBuffer(y.data(), 128);
        g.SetValue(3, int8_t{9});
        g.SetValue(70, int8_t{4});
        gm_before = y[3];
        loaded = g.GetValue(3);
        DataCacheCleanAndInvalid<int8_t, CacheLine::SINGLE_CACHE_LINE>(g);
        gm_after = y[3];
        other_line = y[70];  // its line is still only in the cache
    }, {In("y", y)});
    EXPECT_EQ(gm_before, 0);
    EXPECT_EQ(loaded, 9);
    EXPECT_EQ(gm_after, 9);
    EXPECT_EQ(other_line, 0);
    EXPECT_EQ(y[70], 4);  // written back when the core ended
}
TEST(CrossCoreOn2002Fails) {
    EXPECT_SIM_ERROR(Run([&] { CrossCoreSetFlag<2, PIPE_MTE2>(0); }, {}), "CrossCoreSetFlag",
                     "arch 2002 has no inter-core synchronization");
}
TEST(DataCopyPadOn2002Fails) {
    std::vector<int8_t> x(64);
    EXPECT_SIM_ERROR(Run([&] {
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 64);
        GlobalTensor<int8_t> g;
        g.SetGlobalBuffer(x.data(), 64);
        DataCopyPad(b.Get<int8_t>(), g, DataCopyExtParams(1, 7, 0, 0, 0), DataCopyPadExtParams<int8_t>());
    }, {In("x", x)}), "DataCopyPad is not supported on arch 2002");
}
TEST(Nd2NzOn2002Fails) {
    std::vector<int8_t> x(64);
    EXPECT_SIM_ERROR(Run([&] {
        TPipe pipe;
        TBuf<TPosition::A1> b;
        pipe.InitBuffer(b, 64);
        GlobalTensor<int8_t> g;
        g.SetGlobalBuffer(x.data(), 64);
        DataCopy(b.Get<int8_t>(), g, Nd2NzParams(1, 2, 32, 0, 32, 2, 1, 0));
    }, {In("x", x)}), "arch 2002 has no hardware ND2NZ");
}
TEST(SoftSyncAllNeedsZeroedWorkspace) {
    std::vector<int32_t> ws(8 * 4);
    EXPECT_SIM_ERROR(Run([&] {
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 64);
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(ws.data(), ws.size());
        SyncAll(g, b.Get<int32_t>());
    }, {simtest::Ws("ws", ws)}, 2), "SyncAll", "must be zero-initialised");
}
#endif

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
