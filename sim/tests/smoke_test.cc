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

int main(int argc, char** argv) { return simtest::Main(argc, argv); }
