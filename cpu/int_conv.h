// The exact integer convolution of the CPU op. Products of int8 operands are exact integers
// (|x*w| <= 2^14) summed in groups of 2 or 4 without intermediate rounding or saturation, then added
// into int32 lanes that wrap: the accumulator is the exact sum wrapped to int32, as the golden's.
// The epilogue (int32 bias, float32 RNE, * scale, clamp, float16 RNE) runs on the accumulator
// registers, and the result is written as float16 NCHW. Two instruction sets, one data layout:
//
//   Pairs (AVX2): operands widened to int16; vpmaddwd multiplies 2 pairs and adds them into an int32
//     lane (<= 2^15), vpaddd accumulates.
//   Quads (AVX-512 VNNI): activations as u = x + 128 (uint8), weights int8; vpdpbusd adds 4 products
//     (<= 4 * 255 * 128) into an int32 lane in one instruction. sum(u*w) = sum(x*w) + 128*sum(w), so
//     -128*sum(w) per output channel (wrapping) is folded into the bias. Padding is offset_x + 128.
//     Two micro kernels: 512-bit (8 pixels x 32 channels, int_conv_micro512.h) and 256-bit.
//
// Either way a step reads 4 bytes of one pixel's activations (a pair or a quad, broadcast) and
// 64 bytes of weights (16 output channels x the same pair or quad).
//
// Layout (an implicit GEMM, no im2col): the input is cast once to NHWC with the offset_x border; an
// output pixel's reduction is then `segments` contiguous runs of that buffer (one per kernel row
// when dilation_w = 1, where the kw taps of a row are adjacent: kw*Cin elements; one per tap
// otherwise: Cin elements). A run is read in groups of 2 (pairs) or 4 (quads); the last group of a
// run may reach past it (into the next pixel, or the buffer's slack) against zero weights.
#pragma once

#include <cstdint>

#include "kernels.h"

namespace qconv::cpu {

enum class IntKernel : int { kPairs = 2, kQuads = 4 };   // value = elements per 4-byte group

// The best kernel this CPU runs: kQuads with AVX-512 VNNI (+VL), kPairs with AVX2 (+F16C), and
// kPairs (portable scalar code) otherwise.
IntKernel best_int_kernel();
bool has_avx512_vnni();

inline constexpr int64_t kCoutBlock = 16;   // output channels per micro tile
inline constexpr int64_t kGroupBytes = 4;   // activation bytes per step and pixel

struct ReductionPlan {
  IntKernel kind;
  int64_t cin, kh, kw, dh, dw;
  bool merged;                       // dilation_w == 1: one run of kw*cin per kernel row
  int64_t segments, run, groups;     // groups per segment = ceil(run / lanes)

  int64_t lanes() const { return static_cast<int64_t>(kind); }
  int64_t elem_bytes() const { return kGroupBytes / lanes(); }
  int64_t kgroups() const { return segments * groups; }
  // Bytes from a pixel's first element to segment s, in the NHWC buffer with row pitch wp pixels.
  int64_t offset_bytes(int64_t s, int64_t wp) const {
    const int64_t r = merged ? s : s / kw, t = merged ? 0 : s % kw;
    return (r * dh * wp + t * dw) * cin * elem_bytes();
  }
};
ReductionPlan plan_reduction(IntKernel kind, int64_t cin, int64_t kh, int64_t kw, int64_t dh, int64_t dw);

// Packed weight: int32 bias correction [cblocks * 16] (0 for pairs; -128 * sum of the channel's
// weights, wrapping, for quads), then [cblocks][kgroups][16 channels][4 bytes] (int16 pairs or int8
// quads), zero for channels >= cout and for elements past a run. cblocks = ceil(cout / 16).
int64_t packed_weight_bytes(int64_t cout, const ReductionPlan& plan);
// w: int8 (cout, cin, kh, kw) contiguous.
void pack_weight(const int8_t* w, int64_t cout, const ReductionPlan& plan, uint8_t* packed);

struct IntConvArgs {
  IntKernel kind;                     // the kernel `packed` was made for
  Int8View x;                         // input (N, Cin, H, W), any strides
  int64_t cout, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo;
  int32_t offset_x;                   // padding value
  const uint8_t* packed;              // pack_weight of the weight for `kind`
  const int32_t* bias;                // (cout,) or null
  const float* scale;                 // (cout,) float32 at hardware precision
  uint16_t* out;                      // float16 (N, cout, ho, wo) contiguous
};

// vector_bits: the widest vectors the kernel may use: 512 (default; quads only: the 512-bit VNNI
// kernel), 256, or 0 (the portable scalar code). Same results whatever runs; narrower is for tests.
// Vectors the CPU lacks are never used: the scalar code of the kind runs instead.
void int_conv(const IntConvArgs& a, int vector_bits);

}  // namespace qconv::cpu
