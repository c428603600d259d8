// C++ tests of the op_host core that need no Python: message formatting, CheckParams / InferShape on
// hostile input (int64 extremes must not overflow: run under ASan+UBSan by tests/test_asan.py), and the
// tiling invariants on a few fixed shapes of every SoC of the generated table.
#include <qconv_generated/limits.h>
#include <qconv_generated/soc_table.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "op_host/core/check_params.h"
#include "op_host/core/ge_params.h"
#include "op_host/core/infer_shape.h"
#include "op_host/core/message.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_host/verify/tiling_invariants.h"

namespace {

int g_failures = 0;

void Expect(bool ok, const std::string& what) {
    if (!ok) {
        ++g_failures;
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    }
}

void ExpectEq(const std::string& actual, const std::string& expected, const std::string& what) {
    Expect(actual == expected, what + "\n  actual:   " + actual + "\n  expected: " + expected);
}

qconv::ConvParams Valid() {
    qconv::ConvParams p;
    p.input = {{1, 64, 56, 56}, "torch.int8"};
    p.weight = {{64, 64, 3, 3}, "torch.int8"};
    p.scale = {{64}, "torch.int64"};
    p.pads = {1, 1};
    return p;
}

void TestFormatMessage() {
    ExpectEq(qconv::FormatMessage("{a} and {b}", {{"a", "1"}, {"b", "two"}}), "1 and two", "two fields");
    ExpectEq(qconv::FormatMessage("{{literal}} {a}", {{"a", "x"}}), "{literal} x", "escaped braces");
    ExpectEq(qconv::FormatMessage("{missing} {a}", {{"a", "x"}}), "{missing} x", "unknown field kept");
    ExpectEq(qconv::FormatMessage("open { end", {}), "open { end", "unbalanced brace kept");
    ExpectEq(qconv::OutOfRangeMessage("strides[0]", 64, 1, 63), "strides[0] = 64 is out of the allowed range [1, 63]",
             "out_of_range wording");
}

void TestChecks() {
    Expect(qconv::CheckParams(Valid()).ok, "valid params accepted");
    qconv::ConvParams p = Valid();
    p.strides = {1, 64};
    ExpectEq(qconv::CheckParams(p).message, "strides[1] = 64 is out of the allowed range [1, 63]", "stride past max");
    p = Valid();
    p.weight.shape = {64, 64, 3};
    ExpectEq(qconv::CheckParams(p).message, "weight must be a 4-D tensor, got a 3-D tensor", "weight rank");
    p = Valid();
    p.scale.dtype = "torch.int32";
    ExpectEq(qconv::CheckParams(p).message, "scale must have dtype torch.int64 or torch.float32, got torch.int32",
             "scale dtype");
    p = Valid();
    p.pads = {0, 0};
    p.input.shape = {1, 64, 56, 1};
    p.weight.shape = {64, 64, 1, 1};
    const qconv::SocSpec* p310 = qconv::soc_table::Find("ascend310p");
    const qconv::SocSpec* p910 = qconv::soc_table::Find("ascend910b");
    Expect(p310 != nullptr && p910 != nullptr, "SoC table lookup");
    if (p310 != nullptr && p910 != nullptr) {
        ExpectEq(qconv::CheckParams(p, p310).message,
                 "output width Wo = 1 is not supported; allowed: Wo >= 2 on ascend310p", "310P output width 1");
        Expect(qconv::CheckParams(p, p910).ok, "910B output width 1 accepted");
    }
    Expect(qconv::soc_table::Find("ascend910") == nullptr, "unknown SoC not found");
}

void TestHostileInfer() {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    const int64_t values[] = {kMin, -1, 0, 1, 255, kMax};
    int64_t checked = 0;
    for (int64_t h : values) {
        for (int64_t pad : values) {
            for (int64_t dil : values) {
                for (int64_t k : values) {
                    qconv::ConvParams p = Valid();
                    p.input.shape = {1, 64, h, h};
                    p.weight.shape = {64, 64, k, k};
                    p.pads = {pad, pad};
                    p.dilations = {dil, dil};
                    qconv::OutputDims out;
                    const qconv::Status s = qconv::InferShape(p, &out);
                    Expect(s.ok == (out.h > 0), "InferShape ok iff Ho > 0");
                    const qconv::Status c = qconv::CheckParams(p);
                    Expect(c.ok == c.message.empty(), "CheckParams: ok exactly when there is no message");
                    Expect(!c.ok || (h >= 1 && pad >= 0 && dil >= 1 && k >= 1), "CheckParams rejects out-of-range values");
                    ++checked;
                }
            }
        }
    }
    Expect(checked == 6 * 6 * 6 * 6, "hostile grid walked");
    qconv::ConvParams p = Valid();
    p.input.shape = {1, 64, 4, 4};
    p.weight.shape = {64, 64, 5, 5};
    p.pads = {0, 0};
    qconv::OutputDims out;
    ExpectEq(qconv::InferShape(p, &out).message,
             "output size (Ho, Wo) = (0, 0) must be positive: input (H, W) = (4, 4), kernel_size = (5, 5), "
             "stride = (1, 1), padding = (0, 0), dilation = (1, 1)",
             "output size wording");
    p.input.shape = {1, 64, 1, 8};
    p.weight.shape = {64, 64, 3, 1};
    p.strides = {2, 2};
    // (1 - 2 - 1) / 2 + 1: floor gives 0 (rejected), C++ truncation would give 1.
    Expect(!qconv::InferShape(p, &out).ok, "negative numerator floors to Ho = 0");
}

void TestGeParams() {
    qconv::GeArgs ge;
    ge.x = {{2, 64, 56, 56}, 2};
    ge.filter = {{32, 64, 3, 3}, 2};
    ge.scale = {{32}, 0};
    ge.bias = qconv::GeTensor{{32}, 3};
    ge.strides = {1, 1, 2, 1};
    ge.pads = {1, 1, 0, 0};
    ge.dilations = {1, 1, 1, 2};
    ge.offset_x = -7;
    qconv::ConvParams p;
    Expect(qconv::ToConvParams(ge, &p).ok, "GE args convert");
    Expect(p.strides == std::vector<int64_t>{2, 1} && p.pads == std::vector<int64_t>{1, 0} &&
               p.dilations == std::vector<int64_t>{1, 2} && p.offset_x == -7,
           "GE NCHW / TBLR lists become (h, w) pairs");
    ExpectEq(p.scale.dtype, "torch.float32", "DT_FLOAT is torch.float32");
    ExpectEq(p.output_dtype, "torch.float16", "dtype attr 1 is float16");
    Expect(p.bias && p.bias->dtype == "torch.int32", "bias DT_INT32");
    Expect(qconv::CheckParams(p).ok, "converted GE args pass CheckParams");
    ge.pads = {1, 2, 0, 0};
    ExpectEq(qconv::ToConvParams(ge, &p).message,
             "pads = [1, 2, 0, 0] is not supported; allowed: symmetric [top, bottom, left, right] with top == bottom "
             "and left == right",
             "asymmetric pads");
    ge.pads = {1, 1, 0, 0};
    ge.strides = {2, 1, 1, 1};
    ExpectEq(qconv::ToConvParams(ge, &p).message, "strides[0:2] = [2, 1] is not supported; allowed: [1, 1]",
             "N/C stride");
    ge.strides = {1, 1};
    ExpectEq(qconv::ToConvParams(ge, &p).message, "strides must have 4 elements, got 2", "GE strides length");
    ge.strides = {1, 1, 1, 1};
    ge.data_format = "NHWC";
    ExpectEq(qconv::ToConvParams(ge, &p).message, "data_format = NHWC is not supported; allowed: NCHW", "format");
    ExpectEq(qconv::GeDtypeName(27), "GE dtype 27", "unknown GE dtype named by code");
}

void TestTilingInvariants() {
    const qconv::ConvShape shapes[] = {
        [] { qconv::ConvShape s; s.batch = 1; s.cin = 64; s.hin = 56; s.win = 56; s.cout = 64; s.kh = 3; s.kw = 3;
             s.pad_h = 1; s.pad_w = 1; return s; }(),
        [] { qconv::ConvShape s; s.batch = 2; s.cin = 3; s.hin = 224; s.win = 224; s.cout = 64; s.kh = 7; s.kw = 7;
             s.stride_h = 2; s.stride_w = 2; s.pad_h = 3; s.pad_w = 3; s.has_bias = true; return s; }(),
        [] { qconv::ConvShape s; s.batch = 1; s.cin = 5; s.hin = 100000; s.win = 4096; s.cout = 3; s.kh = 1; s.kw = 1;
             s.stride_h = 63; s.stride_w = 63; return s; }(),
        [] { qconv::ConvShape s; s.batch = 1; s.cin = 33; s.hin = 300; s.win = 300; s.cout = 17; s.kh = 255; s.kw = 255;
             s.offset_x = -128; return s; }(),
    };
    for (const qconv::SocSpec& soc : qconv::soc_table::kSocs) {
        for (const qconv::ConvShape& s : shapes) {
            qconv::verify::InvariantStats stats;
            const qconv::Status status =
                qconv::verify::CheckTilingInvariants(s, soc, qconv::tiling::ComputeTiling(s, soc), &stats);
            Expect(status.ok, std::string(soc.name) + ": " + status.message);
            const uint64_t elements = static_cast<uint64_t>(s.batch) * s.cout * qconv::OutputH(s) * qconv::OutputW(s);
            Expect(stats.covered_elements == elements, std::string(soc.name) + ": covered elements");
        }
    }
}

}  // namespace

int main() {
    TestFormatMessage();
    TestChecks();
    TestHostileInfer();
    TestGeParams();
    TestTilingInvariants();
    if (g_failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", g_failures);
        return 1;
    }
    std::printf("host core tests passed\n");
    return 0;
}
