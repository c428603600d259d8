// The convolution problem as op_host sees it: shapes and attributes after parsing, before checks.
// Plain C++17, shared by CheckParams, InferShape, the tiling engine and the bindings.
#pragma once

#include <cstdint>

namespace qconv {

enum class ScaleKind : uint32_t {
    kQuantPreWord = 0,  // int64 scale: the Fixpipe QUANT_PRE word, fp19 value in bits 13..31
    kFloat32 = 1,       // float32 scale: converted as npu_trans_quant_param(round_mode=0) does
};

// How the filter arrives: the plain (Cout, Cin, kh, kw) tensor, laid out by the kernel on every launch, or
// already in CANN's FRACTAL_Z for int8, [C1*kh*kw][N1][16][32] (packed once, e.g. by QuantConv2d or
// npu_format_cast), which the cube reads as it is.
enum class WeightFormat : uint32_t {
    kNchw = 0,
    kFractalZ = 1,
};

struct ConvShape {
    int64_t batch = 0;
    int64_t cin = 0;
    int64_t hin = 0;
    int64_t win = 0;
    int64_t cout = 0;
    int64_t kh = 0;
    int64_t kw = 0;
    int64_t stride_h = 1;
    int64_t stride_w = 1;
    int64_t pad_h = 0;  // symmetric: top = bottom = pad_h
    int64_t pad_w = 0;  // symmetric: left = right = pad_w
    int64_t dilation_h = 1;
    int64_t dilation_w = 1;
    int64_t groups = 1;
    int64_t offset_x = 0;
    bool has_bias = false;
    ScaleKind scale_kind = ScaleKind::kQuantPreWord;
    WeightFormat weight_format = WeightFormat::kNchw;
};

// Output spatial size with floor division (the meta kernel's rule); may be <= 0 for bad input.
inline int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t OutputSize(int64_t in, int64_t pad, int64_t dilation, int64_t kernel, int64_t stride) {
    return FloorDiv(in + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
}
inline int64_t OutputH(const ConvShape& s) { return OutputSize(s.hin, s.pad_h, s.dilation_h, s.kh, s.stride_h); }
inline int64_t OutputW(const ConvShape& s) { return OutputSize(s.win, s.pad_w, s.dilation_w, s.kw, s.stride_w); }

}  // namespace qconv
