// Less central API behaviour: TransDataTo5HD b32 and the address-list form, Load3D on half with a filter
// wider than 255 (2201 filterSize), LoadData 2D from GM, TQueSync, soft SyncAll, TPipe::Reset invalidating
// tensors, GetTPipePtr / FetchEventID, GetUserWorkspace, and a scalar read racing an MTE2 write.
#include <cstring>
#include <vector>

#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;
using simtest::In;
using simtest::Run;

namespace {
template <typename T>
std::vector<T> Peek(const LocalTensor<T>& t, size_t n) {
    std::vector<T> v(n);
    std::memcpy(static_cast<void*>(v.data()), t.GetPhyAddr(), n * sizeof(T));
    return v;
}
}  // namespace

TEST(TransDataTo5HDB32AddressList) {
    std::vector<int32_t> out;
    Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> s, d;
        pipe.InitBuffer(s, 512);
        pipe.InitBuffer(d, 512);
        auto ts = s.Get<int32_t>();
        for (int i = 0; i < 128; ++i) ts.SetValue(i, i);
        SetFlag<HardEvent::S_V>(0);
        WaitFlag<HardEvent::S_V>(0);
        auto td = d.Get<int32_t>();
        uint64_t dl[16], sl[16];
        for (int i = 0; i < 16; ++i) {
            dl[i] = reinterpret_cast<uint64_t>(td[i * 8].GetPhyAddr());
            sl[i] = reinterpret_cast<uint64_t>(ts[i * 8].GetPhyAddr());
        }
        TransDataTo5HD<int32_t>(dl, sl, TransDataTo5HDParams(false, false, 1, 0, 0));
        out = Peek(td, 128);
    }, {});
    // dst_{2j + i/8}[i % 8] = src_i[j]
    for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 16; ++i) EXPECT_EQ(out[(2 * j + i / 8) * 8 + i % 8], i * 8 + j);
}

#if __NPU_ARCH__ == 2201
// A 1 x 300 filter (filterW = 44 + filterSizeW) over a 1-row half fmap: K = 300 * 16 columns.
TEST(Load3DHalfWideFilter) {
    const int W = 310, KW = 300, C0 = 16;
    std::vector<half> x(W * C0);
    for (int i = 0; i < W * C0; ++i) x[i] = half(static_cast<float>(i % 97));
    const int WO = W - KW + 1;  // 11
    const int K_START = (KW - 4) * C0, K = 4 * C0;  // the last 4 filter columns: beyond 256
    std::vector<uint16_t> got;
    Run([&] {
        if (!simtest::CubeCore0()) return;
        TPipe pipe;
        TBuf<TPosition::A1> l1;
        TBuf<TPosition::A2> l0a;
        pipe.InitBuffer(l1, static_cast<uint32_t>(x.size() * 2));
        pipe.InitBuffer(l0a, 16 * K * 2);
        GlobalTensor<half> g;
        g.SetGlobalBuffer(x.data(), x.size());
        DataCopy(l1.Get<half>(), g, static_cast<uint32_t>(x.size()));
        SetFlag<HardEvent::MTE2_MTE1>(0);
        WaitFlag<HardEvent::MTE2_MTE1>(0);
        const uint8_t pads[4] = {0, 0, 0, 0};
        LoadData3DParamsV2<half> p(pads, 1, W, C0, static_cast<uint16_t>(K), WO, K_START, 0, 1, 1, KW - 256, 1, 1, 1, false,
                                   false, half(0.0f), true, false, false);
        LoadData(l0a.Get<half>(), l1.Get<half>(), p);
        auto t = l0a.Get<uint16_t>();
        got = Peek(t, 16 * K);
    }, {In("x", x)});
    for (int m = 0; m < WO; ++m) {
        for (int k = 0; k < K; ++k) {
            const int kw = (K_START + k) / C0, c0 = k % C0;
            const size_t idx = static_cast<size_t>(k / C0) * 16 * C0 + static_cast<size_t>(m) * C0 + c0;  // Zz, one m block
            EXPECT_EQ(got[idx], x[(m + kw) * C0 + c0].bits);
        }
    }
}
#endif

TEST(LoadData2DFromGm) {
    std::vector<int8_t> w(3 * 512);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(i / 512 * 10 + i % 7);
    std::vector<int8_t> got;
    Run([&] {
        if (!simtest::CubeCore0()) return;
        TPipe pipe;
        TBuf<TPosition::B2> l0b;
        pipe.InitBuffer(l0b, 2 * 512);
        GlobalTensor<int8_t> g;
        g.SetGlobalBuffer(w.data(), w.size());
        LoadData(l0b.Get<int8_t>(), g, LoadData2DParams(2, 2, static_cast<uint16_t>(0), 0, 0, false, 0));
        got = Peek(l0b.Get<int8_t>(), 1024);
    }, {In("w", w)});
    // srcStride 0: both repeats read fractal 2
    for (int i = 0; i < 1024; ++i) EXPECT_EQ(got[i], w[2 * 512 + i % 512]);
}

TEST(TQueSyncOrdersPipes) {
    std::vector<float> x(64, 2.0f), y(64);
    Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        GlobalTensor<float> gx, gy;
        gx.SetGlobalBuffer(x.data(), 64);
        gy.SetGlobalBuffer(y.data(), 64);
        DataCopy(b.Get<float>(), gx, 64);
        TQueSync<PIPE_MTE2, PIPE_V> in;
        in.SetFlag(0);
        in.WaitFlag(0);
        Muls(b.Get<float>(), b.Get<float>(), 3.0f, 64);
        TQueSync<PIPE_V, PIPE_MTE3> out;
        out.SetFlag(1);
        out.WaitFlag(1);
        DataCopy(gy, b.Get<float>(), 64);
    }, {In("x", x), simtest::Out("y", y)});
    for (float v : y) EXPECT_EQ(v, 6.0f);
}

TEST(ScalarReadRacingMte2IsReported) {
    std::vector<int32_t> x(8, 1);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 32);
        GlobalTensor<int32_t> g;
        g.SetGlobalBuffer(x.data(), 8);
        DataCopy(b.Get<int32_t>(), g, 8);
        b.Get<int32_t>().GetValue(3);
    }, {In("x", x)}), "missing synchronization", "LocalTensor::GetValue on PIPE SCALAR");
}

TEST(ResetInvalidatesTensors) {
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b;
        pipe.InitBuffer(b, 256);
        auto t = b.Get<float>();
        pipe.Reset();
        Duplicate(t, 1.0f, 64);
    }, {}), "after FreeTensor");
}

TEST(GetTPipePtrAndFetchEventID) {
    int32_t fetched = -1;
    bool same = false;
    Run([&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        same = GetTPipePtr() == &pipe;
        const TEventID a = pipe.AllocEventID<HardEvent::V_MTE3>();
        fetched = pipe.FetchEventID(HardEvent::V_MTE3);
        pipe.ReleaseEventID<HardEvent::V_MTE3>(a);
    }, {});
    EXPECT_TRUE(same);
    EXPECT_EQ(fetched, 1);
}

// Soft SyncAll: every participating core waits for all the others (2201: the AIVs; 2002: all cores).
TEST(SoftSyncAllOrdersGmWrites) {
#if __NPU_ARCH__ == 2201
    const int cores = 4;
#else
    const int cores = 2;
#endif
    std::vector<int32_t> sync_ws(cores * 8, 0), ws(cores * 8, 0), y(cores * 8, 0);
    Run([&] {
        if (ASCEND_IS_AIC) return;
        TPipe pipe;
        TBuf<TPosition::VECCALC> b, s;
        pipe.InitBuffer(b, 32);
        pipe.InitBuffer(s, 32 * cores);
        GlobalTensor<int32_t> gs, gw, gy;
        gs.SetGlobalBuffer(sync_ws.data(), sync_ws.size());
        gw.SetGlobalBuffer(ws.data(), ws.size());
        gy.SetGlobalBuffer(y.data(), y.size());
        const int64_t me = GetBlockIdx();
        auto t = b.Get<int32_t>();
        Duplicate(t, static_cast<int32_t>(10 + me), 8);
        SetFlag<HardEvent::V_MTE3>(0);
        WaitFlag<HardEvent::V_MTE3>(0);
        DataCopy(gw[me * 8], t, 8);
        SyncAll(gs, s.Get<int32_t>());
        DataCopy(t, gw[((me + 1) % cores) * 8], 8);
        SetFlag<HardEvent::MTE2_MTE3>(0);
        WaitFlag<HardEvent::MTE2_MTE3>(0);
        DataCopy(gy[me * 8], t, 8);
    }, {In("sync", sync_ws), simtest::Ws("ws", ws), simtest::Out("y", y)}, 2);
    for (int c = 0; c < cores; ++c)
        for (int e = 0; e < 8; ++e) EXPECT_EQ(y[c * 8 + e], 10 + (c + 1) % cores);
}

int main(int argc, char** argv) { return simtest::Main(argc, argv); }

// The twin's launcher passes the user workspace alone, so GetUserWorkspace returns its argument; a missing
// workspace is an error, as in CANN's CPU-debug build.
TEST(GetUserWorkspaceReturnsTheUserWorkspace) {
    std::vector<int32_t> ws(8, 0);
    bool same = false;
    Run([&] {
        if (!simtest::VectorCore0()) return;
        GM_ADDR base = reinterpret_cast<GM_ADDR>(ws.data());
        same = GetUserWorkspace(base) == base;
    }, {simtest::Ws("ws", ws)});
    EXPECT_TRUE(same);
    EXPECT_SIM_ERROR(Run([&] {
        if (!simtest::VectorCore0()) return;
        GetUserWorkspace(nullptr);
    }, {}), "GetUserWorkspace: workspace is nullptr");
}
