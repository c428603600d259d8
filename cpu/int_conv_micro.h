// Micro kernels of int_conv: MR output pixels x 16 output channels over the whole reduction, then the
// epilogue, written as float16 rows of 16 channels (tile[pixel * 16 + channel]). Internal to cpu/.
#pragma once

#include <cstdint>
#include <cstring>

#include "half.h"
#include "int_conv.h"
#include "simd.h"

namespace qconv::cpu {

// Pixels per 256-bit micro tile. Quads: 6 x 2 accumulators + 2 weight vectors + 1 broadcast = 15 ymm.
// Pairs need a temporary per vpmaddwd before its vpaddd: with 6 pixels GCC spilled accumulators to the
// stack (2.5x slower); 4 pixels fit.
inline constexpr int kMaxMr = 6;
inline constexpr int kMaxMrPairs = 4;

// px[i]: byte address of pixel i's first element in the input buffer; segment s starts seg[s] bytes
// further; b: the packed weights of one channel block (64 bytes per step).
struct MicroArgs {
  const uint8_t* const* px;
  const int64_t* seg;
  int64_t segments, groups;
  const uint8_t* b;
  const int32_t* bias16;   // bias + correction of the block's 16 channels (0 past cout)
  const float* scale16;
  uint16_t* tile;
};

inline int32_t load_group(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Portable: the same sums with plain integers (uint32 wraps like the int32 lanes).
template <IntKernel K>
void micro_scalar(const MicroArgs& m, int mr) {
  constexpr int lanes = static_cast<int>(K);
  using Act = std::conditional_t<K == IntKernel::kPairs, int16_t, uint8_t>;
  using Wgt = std::conditional_t<K == IntKernel::kPairs, int16_t, int8_t>;
  uint32_t acc[kMaxMr][kCoutBlock] = {};
  const uint8_t* b = m.b;
  for (int64_t s = 0; s < m.segments; ++s)
    for (int64_t j = 0; j < m.groups; ++j, b += kCoutBlock * kGroupBytes)
      for (int i = 0; i < mr; ++i) {
        Act a[lanes];
        std::memcpy(a, m.px[i] + m.seg[s] + kGroupBytes * j, sizeof a);
        for (int64_t c = 0; c < kCoutBlock; ++c) {
          Wgt w[lanes];
          std::memcpy(w, b + c * kGroupBytes, sizeof w);
          int32_t dot = 0;
          for (int e = 0; e < lanes; ++e) dot += int32_t{a[e]} * int32_t{w[e]};
          acc[i][c] += static_cast<uint32_t>(dot);
        }
      }
  for (int i = 0; i < mr; ++i)
    for (int64_t c = 0; c < kCoutBlock; ++c)
      m.tile[i * kCoutBlock + c] =
          finish_scalar(static_cast<int32_t>(acc[i][c] + static_cast<uint32_t>(m.bias16[c])), m.scale16[c]);
}

#ifdef QCONV_CPU_X86
#define QCONV_VNNI __attribute__((target("avx2,f16c,fma,avx512f,avx512vl,avx512vnni")))

struct PairsStep {   // vpmaddwd + vpaddd
  QCONV_AVX2 static __m256i step(__m256i acc, __m256i x, __m256i w) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w));
  }
};
struct QuadsStep {   // vpdpbusd
  QCONV_VNNI static __m256i step(__m256i acc, __m256i x, __m256i w) { return _mm256_dpbusd_epi32(acc, x, w); }
};

// The shared body; `Step` decides how a broadcast group meets 8 channels' groups. Instantiated with
// the target attributes of the step (below).
#define QCONV_MICRO_BODY(Step)                                                                  \
  __m256i lo[MR], hi[MR];                                                                       \
  _Pragma("GCC unroll 6") for (int i = 0; i < MR; ++i) lo[i] = hi[i] = _mm256_setzero_si256(); \
  const uint8_t* b = m.b;                                                                       \
  for (int64_t s = 0; s < m.segments; ++s) {                                                    \
    const uint8_t* a[MR];                                                                       \
    _Pragma("GCC unroll 6") for (int i = 0; i < MR; ++i) a[i] = m.px[i] + m.seg[s];             \
    for (int64_t j = 0; j < m.groups; ++j, b += kCoutBlock * kGroupBytes) {                     \
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));               \
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32));          \
      _Pragma("GCC unroll 6") for (int i = 0; i < MR; ++i) {                                    \
        const __m256i x = _mm256_set1_epi32(load_group(a[i] + kGroupBytes * j));                \
        lo[i] = Step::step(lo[i], x, w0);                                                       \
        hi[i] = Step::step(hi[i], x, w1);                                                       \
      }                                                                                         \
    }                                                                                           \
  }                                                                                             \
  const __m256i bias0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m.bias16));        \
  const __m256i bias1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m.bias16 + 8));    \
  const __m256 scale0 = _mm256_loadu_ps(m.scale16), scale1 = _mm256_loadu_ps(m.scale16 + 8);    \
  _Pragma("GCC unroll 6") for (int i = 0; i < MR; ++i) {                                        \
    store_half8(m.tile + i * kCoutBlock, finish_avx2(_mm256_add_epi32(lo[i], bias0), scale0));  \
    store_half8(m.tile + i * kCoutBlock + 8, finish_avx2(_mm256_add_epi32(hi[i], bias1), scale1)); \
  }

template <int MR>
QCONV_AVX2 void micro_pairs(const MicroArgs& m) { QCONV_MICRO_BODY(PairsStep) }
template <int MR>
QCONV_VNNI void micro_quads(const MicroArgs& m) { QCONV_MICRO_BODY(QuadsStep) }
#undef QCONV_MICRO_BODY

QCONV_AVX2 inline void micro_pairs(const MicroArgs& m, int mr) {
  switch (mr) {
    case 4: return micro_pairs<4>(m);
    case 3: return micro_pairs<3>(m);
    case 2: return micro_pairs<2>(m);
    default: return micro_pairs<1>(m);
  }
}

QCONV_VNNI inline void micro_quads(const MicroArgs& m, int mr) {
  switch (mr) {
    case 6: return micro_quads<6>(m);
    case 5: return micro_quads<5>(m);
    case 4: return micro_quads<4>(m);
    case 3: return micro_quads<3>(m);
    case 2: return micro_quads<2>(m);
    default: return micro_quads<1>(m);
  }
}
#endif

}  // namespace qconv::cpu
