// The convolution as the tiling engine sees it: the GEMM view per image and the sizes every part derives
// from it. Built once per ComputeTiling call.
#pragma once

#include <cstdint>

#include "op_host/core/conv_shape.h"
#include "op_kernel/int8_fractal.h"

namespace qconv::tiling {

inline constexpr uint32_t kM0 = fractal::kM0;  // int8 cube fractal rows (output positions)
inline constexpr uint32_t kK0 = fractal::kK0;  // int8 cube fractal depth (C0 of NC1HWC0 and FRACTAL_Z)
inline constexpr uint32_t kN0 = fractal::kN0;  // int8 cube fractal columns (output channels)
inline constexpr uint32_t kFractalBytes = fractal::kBytes;  // 512 B, one int8 fractal in L1 / L0A / L0B

struct Problem {
    uint32_t batch, cin, hin, win, cout, kh, kw;
    uint32_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    uint32_t hout, wout;
    uint32_t c1;            // ceil(cin / 32)
    uint32_t n1;            // ceil(cout / 16)
    uint64_t positions;     // hout * wout (M of one image)
    uint64_t k_fracs;       // c1 * kh * kw (K / 32)
    bool weight_prepacked;  // the filter arrives in FRACTAL_Z: no ws.weight, no weight layout pass
    bool zero_point_const_a;  // 310P offset_x != 0: one more L0A tile holds the constant -offset_x
    bool fmap_direct;       // QuantConv2dFmapPath kFmapDirectGemm: the cube reads x (NCHW) itself, no ws.fmap
    uint32_t kernel_extent_h() const { return (kh - 1) * dilation_h + 1; }
    uint32_t kernel_extent_w() const { return (kw - 1) * dilation_w + 1; }
};

// Validates what the engine relies on (positive output, fields that fit the POD) and derives the sizes.
Problem MakeProblem(const ConvShape& shape);

// Whether the convolution is a plain GEMM on NCHW x that the cube can read as it is (kFmapDirectGemm): a 1x1
// kernel, stride 1, no padding (then output position m is input position m), whole channel groups (ND2NZ
// leaves rows past nValue unwritten, and a partial group would feed them to the cube), on arch 2201 (ND2NZ of
// int8 and LoadDataWithTranspose exist only there), with H * W within ND2NZ's 16-bit srcDValue.
bool DirectGemmEligible(const Problem& p, uint32_t npu_arch);

// Whether the kw taps of a filter row fit one C0 group (kw * Cin <= 32, kw > 1) and the kw-packed layout fits
// phase 1's buffers (vector_ub::KwPackFits): then the cube runs the packed conv (KwPackedShape) with K = kh * 32
// instead of kh * kw * 32 (QuantConv2dFmapPath kFmapKwPacked). Not with the direct GEMM path (1x1 kernels).
bool KwPackEligible(const ConvShape& s);
// The packed conv: Cin' = kw * Cin channels (j * Cin + ci) over an input Wo wide, kernel (kh, 1), stride
// (stride_h, 1), padding (pad_h, 0), dilation (dilation_h, 1); its filter is laid out in ws.weight (plain).
ConvShape KwPackedShape(const ConvShape& s);

// Whether a strided 1x1 conv reads only a subgrid of x: kh == kw == 1, no padding, stride > 1 in either axis, and
// one output row of one channel group fits phase 1's buffers (vector_ub::SubsampleItemFits). Then phase 1 lays out
// only x[:, :, ::stride_h, ::stride_w] and the cube runs SubsampledShape (QuantConv2dFmapPath kFmapSubsampled).
// Taken whenever eligible (a rule, not a price): the path reads no byte the img2col path does not, writes
// stride_h * stride_w times less ws.fmap, and the cube's conv is the same GEMM over a smaller input.
bool SubsampleEligible(const ConvShape& s, uint32_t npu_arch);
// The subsampled conv: x' = x[:, :, ::stride_h, ::stride_w] (Ho x Wo), kernel 1x1, stride 1, no padding; the filter is
// the caller's (either format).
ConvShape SubsampledShape(const ConvShape& s);

inline uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
inline uint64_t AlignUp(uint64_t a, uint64_t b) { return CeilDiv(a, b) * b; }

}  // namespace qconv::tiling
