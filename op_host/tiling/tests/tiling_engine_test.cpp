// Property test of the tiling engine against the schedule the kernel runs: random valid shapes over the
// whole documented range, and its corners, on every SoC of the generated table, each tiling held to every
// invariant (verify::CheckTilingInvariants: the POD's rules, exact-once coverage, K chunks, every fmap slab
// within L1 and Load3D's fields, Load3D's taps against the convolution).
// Usage: tiling_engine_test [shapes_per_soc] [seed]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "op_host/tiling/tiling_engine.h"
#include "op_host/verify/tiling_invariants.h"
#include "qconv_generated/soc_table.h"

namespace {

using qconv::ConvShape;

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
                const qconv::Status status =
                    qconv::verify::CheckTilingInvariants(s, soc, qconv::tiling::ComputeTiling(s, soc));
                if (!status.ok) Fail(s, soc.name, status.message);
                ++checked;
            } catch (const std::exception& e) {
                Fail(s, soc.name, e.what());
            }
        }
    }
    std::printf("tiling_engine_test: %d tilings checked, %d failures\n", checked, g_failures);
    return g_failures == 0 ? 0 : 1;
}
