// The two memory passes around the float32 convolution of the exact CPU op. Shapes and strides are
// in elements; callers (python/qconv/cpu_conv.py) validate them, these functions trust them.
#pragma once

#include <cstdint>

namespace qconv::cpu {

// True when the CPU has AVX2 and F16C (the vector paths); otherwise only the scalar code runs.
bool has_avx2_f16c();

// Source tensor view: int8 (N, C, H, W) with arbitrary non-negative strides.
struct Int8View {
  const int8_t* data;
  int64_t n, c, h, w;
  int64_t sn, sc, sh, sw;
};

// x -> float32 (N, ct, H + 2ph, W + 2pw), ct >= C: channels >= C are 0, the border of channels < C
// is offset_x. `out` is contiguous NHWC when channels_last, else contiguous NCHW.
void cast_pad(const Int8View& x, float* out, int64_t ct, int64_t ph, int64_t pw, int32_t offset_x,
              bool channels_last, bool allow_simd);

// Float32 partials y (N, groups*cout, P) (P = Ho*Wo flattened; strides sn, sc, sp), each an exact
// integer of magnitude < 2^31 -> float16 NCHW contiguous (N, cout, P):
//   acc = sum_g int32(y[:, g*cout + c]) + bias[c]   (int32, wrapping like the golden)
//   out = float16_rne(clamp(float32_rne(acc) * scale[c], -65504, 65504))
// bias may be null (no bias).
struct EpilogueArgs {
  const float* y;
  int64_t n, groups, cout, p;
  int64_t sn, sc, sp;
  const int32_t* bias;
  const float* scale;
  uint16_t* out;
};
void epilogue(const EpilogueArgs& a, bool allow_simd);

}  // namespace qconv::cpu
