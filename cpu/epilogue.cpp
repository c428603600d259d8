// Float32 convolution partials -> int32 accumulator (+ bias, wrapping) -> * fp19 scale -> clamp ->
// float16 NCHW, in one pass. Partials are exact integers, so int32(y) is exact and the int32 sum wraps
// exactly as the golden's; float32(acc) then rounds once (RNE, the default MXCSR mode), as the golden.
#include <algorithm>

#include "half.h"
#include "kernels.h"
#include "simd.h"

namespace qconv::cpu {
namespace {

// Below this many elements a pass takes ~0.1 ms on one core: a parallel region costs more than it
// saves, and on a loaded machine every extra barrier risks waiting out a descheduled thread.
constexpr int64_t kParallelElements = 1 << 19;

int32_t acc_scalar(const EpilogueArgs& a, const float* y, int64_t c) {
  uint32_t acc = a.bias ? static_cast<uint32_t>(a.bias[c]) : 0u;
  for (int64_t g = 0; g < a.groups; ++g)
    acc += static_cast<uint32_t>(static_cast<int32_t>(y[(g * a.cout + c) * a.sc]));
  return static_cast<int32_t>(acc);
}

void element_scalar(const EpilogueArgs& a, int64_t n, int64_t c, int64_t p) {
  const float* y = a.y + n * a.sn + p * a.sp;
  a.out[(n * a.cout + c) * a.p + p] = finish_scalar(acc_scalar(a, y, c), a.scale[c]);
}

void epilogue_scalar(const EpilogueArgs& a) {
#pragma omp parallel for schedule(static) if (a.n * a.cout * a.p >= kParallelElements)
  for (int64_t nc = 0; nc < a.n * a.cout; ++nc)
    for (int64_t p = 0; p < a.p; ++p) element_scalar(a, nc / a.cout, nc % a.cout, p);
}

#ifdef QCONV_CPU_X86
// Channels contiguous (NHWC partials): 8 channels x 8 pixels per register tile, transposed before
// the store. Pixels go in runs of kRun so that each channel's fp16 output is written as whole cache
// lines and the run's partials (all channels) stay in cache across the channel loop; one 8-pixel run
// over all channels instead writes 16 bytes to each of Cout rows, whose strides alias in L1.
QCONV_AVX2 void epilogue_channels_avx2(const EpilogueArgs& a) {
  constexpr int64_t kRun = 64;
  const int64_t c8 = a.cout / 8 * 8, p8 = a.p / 8 * 8, runs = (p8 + kRun - 1) / kRun;
#pragma omp parallel for schedule(static) if (a.n * a.cout * a.p >= kParallelElements)
  for (int64_t nr = 0; nr < a.n * runs; ++nr) {
    const int64_t n = nr / runs, begin = nr % runs * kRun, end = std::min(begin + kRun, p8);
    const float* yn = a.y + n * a.sn;
    for (int64_t c0 = 0; c0 < c8; c0 += 8) {
      const __m256i bias = a.bias ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + c0))
                                  : _mm256_setzero_si256();
      const __m256 scale = _mm256_loadu_ps(a.scale + c0);
      for (int64_t p0 = begin; p0 < end; p0 += 8) {
        __m128i h[8];
        for (int j = 0; j < 8; ++j) {
          const float* y = yn + (p0 + j) * a.sp + c0;
          __m256i acc = bias;
          for (int64_t g = 0; g < a.groups; ++g)
            acc = _mm256_add_epi32(acc, _mm256_cvttps_epi32(_mm256_loadu_ps(y + g * a.cout)));
          h[j] = to_half8(finish_avx2(acc, scale));
        }
        transpose8x8_epi16(h);
        for (int i = 0; i < 8; ++i)
          _mm_storeu_si128(reinterpret_cast<__m128i*>(a.out + (n * a.cout + c0 + i) * a.p + p0), h[i]);
      }
    }
    for (int64_t c = c8; c < a.cout; ++c)
      for (int64_t p = begin; p < end; ++p) element_scalar(a, n, c, p);
  }
  for (int64_t n = 0; n < a.n; ++n)
    for (int64_t c = 0; c < a.cout; ++c)
      for (int64_t p = p8; p < a.p; ++p) element_scalar(a, n, c, p);
}

// Pixels contiguous (NCHW partials): 8 pixels of one channel per vector.
QCONV_AVX2 void epilogue_pixels_avx2(const EpilogueArgs& a) {
  const int64_t p8 = a.p / 8 * 8;
#pragma omp parallel for schedule(static) if (a.n * a.cout * a.p >= kParallelElements)
  for (int64_t nc = 0; nc < a.n * a.cout; ++nc) {
    const int64_t n = nc / a.cout, c = nc % a.cout;
    const __m256i bias = _mm256_set1_epi32(a.bias ? a.bias[c] : 0);
    const __m256 scale = _mm256_set1_ps(a.scale[c]);
    const float* y = a.y + n * a.sn + c * a.sc;
    uint16_t* out = a.out + nc * a.p;
    for (int64_t p0 = 0; p0 < p8; p0 += 8) {
      __m256i acc = bias;
      for (int64_t g = 0; g < a.groups; ++g)
        acc = _mm256_add_epi32(acc, _mm256_cvttps_epi32(_mm256_loadu_ps(y + g * a.cout * a.sc + p0)));
      store_half8(out + p0, finish_avx2(acc, scale));
    }
    for (int64_t p = p8; p < a.p; ++p) element_scalar(a, n, c, p);
  }
}
#endif

}  // namespace

void epilogue(const EpilogueArgs& a, bool allow_simd) {
#ifdef QCONV_CPU_X86
  if (allow_simd && has_avx2_f16c()) {
    if (a.sc == 1) return epilogue_channels_avx2(a);
    if (a.sp == 1) return epilogue_pixels_avx2(a);
  }
#else
  (void)allow_simd;
#endif
  epilogue_scalar(a);
}

}  // namespace qconv::cpu
