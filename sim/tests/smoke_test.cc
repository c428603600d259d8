// The smallest end-to-end run: GM -> UB -> Adds -> GM through queues on one vector core.
#include "harness.h"
#include "sim_fixture.h"

using namespace AscendC;

TEST(CopyThroughUb) {
    std::vector<int32_t> in(64), out(64, 0);
    for (int i = 0; i < 64; ++i) in[i] = i * 3 - 7;
    auto body = [&] {
        if (!simtest::VectorCore0()) return;
        TPipe pipe;
        TQue<TPosition::VECIN, 1> qin;
        TQue<TPosition::VECOUT, 1> qout;
        pipe.InitBuffer(qin, 1, 256);
        pipe.InitBuffer(qout, 1, 256);
        GlobalTensor<int32_t> x, y;
        x.SetGlobalBuffer(in.data(), 64);
        y.SetGlobalBuffer(out.data(), 64);
        auto a = qin.AllocTensor<int32_t>();
        DataCopy(a, x, 64);
        qin.EnQue(a);
        auto b = qin.DeQue<int32_t>();
        auto c = qout.AllocTensor<int32_t>();
        Adds(c, b, int32_t{5}, 64);
        qout.EnQue(c);
        qin.FreeTensor(b);
        auto d = qout.DeQue<int32_t>();
        DataCopy(y, d, 64);
        qout.FreeTensor(d);
    };
    auto r = simtest::Run(body, {simtest::In("x", in), simtest::Out("y", out)});
    for (int i = 0; i < 64; ++i) EXPECT_EQ(out[i], in[i] + 5);
    EXPECT_EQ(r.Total(qconv::sim::Pipe::kMte2).bytes, 256u);
}

// A msopgen-style entry launched through Launch(): x + 1 -> y on every vector core's slice.
extern "C" __global__ __aicore__ void add_one_kernel(GM_ADDR x, GM_ADDR, GM_ADDR, GM_ADDR, GM_ADDR y, GM_ADDR,
                                                     GM_ADDR) {
#if __NPU_ARCH__ == 2201
    if (!ASCEND_IS_AIV) return;
#endif
    TPipe pipe;
    TBuf<TPosition::VECCALC> b;
    pipe.InitBuffer(b, 32);
    GlobalTensor<int32_t> gx, gy;
    gx.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(x) + GetBlockIdx() * 8, 8);
    gy.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(y) + GetBlockIdx() * 8, 8);
    auto t = b.Get<int32_t>();
    DataCopy(t, gx, 8);
    SetFlag<HardEvent::MTE2_V>(0);
    WaitFlag<HardEvent::MTE2_V>(0);
    Adds(t, t, int32_t{1}, 8);
    SetFlag<HardEvent::V_MTE3>(0);
    WaitFlag<HardEvent::V_MTE3>(0);
    DataCopy(gy, t, 8);
}

TEST(LaunchMsopgenEntry) {
    const int cores = simtest::TestSoc().topology == qconv::CoreTopology::kSplit ? 4 : 2;
    std::vector<int32_t> x(cores * 8), y(cores * 8);
    for (int i = 0; i < cores * 8; ++i) x[i] = i;
    const qconv::sim::GmBuffer none{"unused", nullptr, 0, qconv::sim::GmRole::kInput};
    auto r = qconv::sim::Launch(simtest::TestSoc(2), 2, add_one_kernel,
                                {simtest::In("x", x), none, none, none, simtest::Out("y", y), none, none});
    for (int i = 0; i < cores * 8; ++i) EXPECT_EQ(y[i], i + 1);
    EXPECT_EQ(r.cores.size(), static_cast<size_t>(cores == 4 ? 6 : 2));
}

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
