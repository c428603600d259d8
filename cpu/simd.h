// AVX2 helpers shared by the vector paths. Every function carries the target attribute itself, so
// the rest of the module is compiled for baseline x86-64 and these run only after has_avx2_f16c().
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define QCONV_CPU_X86 1
#include <immintrin.h>

#include "half.h"
#define QCONV_AVX2 __attribute__((target("avx2,f16c")))

namespace qconv::cpu {

// r[i] holds row i of an 8x8 float tile; afterwards r[i] holds column i.
QCONV_AVX2 inline void transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// h[i] holds row i of an 8x8 tile of 16-bit values; afterwards h[i] holds column i.
QCONV_AVX2 inline void transpose8x8_epi16(__m128i h[8]) {
  const __m128i a0 = _mm_unpacklo_epi16(h[0], h[1]), a1 = _mm_unpackhi_epi16(h[0], h[1]);
  const __m128i a2 = _mm_unpacklo_epi16(h[2], h[3]), a3 = _mm_unpackhi_epi16(h[2], h[3]);
  const __m128i a4 = _mm_unpacklo_epi16(h[4], h[5]), a5 = _mm_unpackhi_epi16(h[4], h[5]);
  const __m128i a6 = _mm_unpacklo_epi16(h[6], h[7]), a7 = _mm_unpackhi_epi16(h[6], h[7]);
  const __m128i b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2);
  const __m128i b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3);
  const __m128i b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6);
  const __m128i b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7);
  h[0] = _mm_unpacklo_epi64(b0, b4);
  h[1] = _mm_unpackhi_epi64(b0, b4);
  h[2] = _mm_unpacklo_epi64(b1, b5);
  h[3] = _mm_unpackhi_epi64(b1, b5);
  h[4] = _mm_unpacklo_epi64(b2, b6);
  h[5] = _mm_unpackhi_epi64(b2, b6);
  h[6] = _mm_unpacklo_epi64(b3, b7);
  h[7] = _mm_unpackhi_epi64(b3, b7);
}

// 8 consecutive int8 -> 8 float32.
QCONV_AVX2 inline __m256 load8_i8_as_f32(const int8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// finish_scalar (half.h) on 8 lanes, before the float16 rounding: float32(acc) * scale, clamped.
QCONV_AVX2 inline __m256 finish_avx2(__m256i acc, __m256 scale) {
  const __m256 y = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
  return _mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(-kHalfMax)), _mm256_set1_ps(kHalfMax));
}

QCONV_AVX2 inline __m128i to_half8(__m256 v) {
  return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

QCONV_AVX2 inline void store_half8(uint16_t* dst, __m256 v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), to_half8(v));
}

}  // namespace qconv::cpu
#endif
