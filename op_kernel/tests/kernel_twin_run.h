// The real kernel entry (the merged object of the _sim module, op_kernel/CMakeLists.txt) launched in the twin
// with random inputs, for the budget tests that run it on a SoC copy shrunk to their budget
// (vector_ub_budget_twin_test.cpp, cube_buffer_budget_twin_test.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "op_host/core/conv_shape.h"
#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"
#include "sim/launch.h"

#define QCONV_CAT2(a, b) a##b
#define QCONV_CAT(a, b) QCONV_CAT2(a, b)
#define QCONV_ENTRY QCONV_CAT(quant_conv2d_custom_, __NPU_ARCH__)
extern "C" void QCONV_ENTRY(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);

namespace qconv::twin_run {

inline ConvShape Shape(int64_t b, int64_t cin, int64_t h, int64_t w, int64_t cout, int64_t k, int64_t s, int64_t p,
                       int64_t offset_x = -3) {
    ConvShape c;
    c.batch = b; c.cin = cin; c.hin = h; c.win = w; c.cout = cout; c.kh = k; c.kw = k;
    c.stride_h = s; c.stride_w = s; c.pad_h = p; c.pad_w = p; c.dilation_h = 1; c.dilation_w = 1;
    c.offset_x = offset_x;
    c.has_bias = true;
    return c;
}

// Launches the kernel entry for `s` with `td` on `soc`; "" or the twin's error.
inline std::string RunKernel(const SocSpec& soc, const ConvShape& s, QuantConv2dTilingData td, std::mt19937& rng) {
    std::vector<int8_t> x(s.batch * s.cin * s.hin * s.win), w(s.cout * s.cin * s.kh * s.kw);
    for (auto& v : x) v = static_cast<int8_t>(rng() % 256 - 128);
    for (auto& v : w) v = static_cast<int8_t>(rng() % 256 - 128);
    std::vector<int64_t> scale(s.cout);
    for (auto& v : scale) {
        const float f = 1.0f / static_cast<float>(1 + rng() % 4096);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        v = bits;
    }
    std::vector<int32_t> bias(s.cout);
    for (auto& v : bias) v = static_cast<int32_t>(rng() % 2001) - 1000;
    std::vector<uint16_t> y(s.batch * s.cout * OutputH(s) * OutputW(s));
    std::vector<uint8_t> ws(td.ws_total_bytes, 0);
    std::vector<sim::GmBuffer> args = {
        {"x", x.data(), x.size(), sim::GmRole::kInput},
        {"weight", w.data(), w.size(), sim::GmRole::kInput},
        {"scale", scale.data(), scale.size() * 8, sim::GmRole::kInput},
        {"bias", bias.data(), bias.size() * 4, sim::GmRole::kInput},
        {"y", y.data(), y.size() * 2, sim::GmRole::kOutput},
        {"workspace", ws.data(), td.ws_sync_bytes ? td.ws_sync_offset : td.ws_total_bytes, sim::GmRole::kWorkspace},
        {"tiling", &td, sizeof(td), sim::GmRole::kTiling},
    };
    if (td.ws_sync_bytes) {
        args.push_back({"SyncAll area", ws.data() + td.ws_sync_offset, td.ws_sync_bytes, sim::GmRole::kInput});
    }
    try {
        sim::Launch(soc, td.block_dim, &QCONV_ENTRY, std::move(args));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace qconv::twin_run
