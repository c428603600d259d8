// The 512-bit quads micro kernel of int_conv (AVX-512 VNNI): MR output pixels x NB blocks of 16 output
// channels, one zmm accumulator per (pixel, block). A step's 64 weight bytes of a block are exactly
// one zmm (16 channels x 4 bytes), so the packing is the 256-bit kernels'. Measured on the bench
// machine: 512-bit vpdpbusd issues at the 256-bit instruction rate (2x the MACs), and 8 pixels x 2
// blocks keep 16 accumulators, 2 weight vectors and a broadcast in registers with 8 pointers.
// Internal to cpu/.
#pragma once

#include "int_conv_micro.h"

#ifdef QCONV_CPU_X86
namespace qconv::cpu {

inline constexpr int kMaxMr512 = 8;
#define QCONV_VNNI512 __attribute__((target("avx2,f16c,fma,avx512f,avx512vl,avx512bw,avx512vnni")))

// MicroArgs of NB blocks: block j's weights at b + j * block_bytes, its bias/scale at bias16 + 16 j,
// its tile at tile + j * tile_elems.
struct Micro512Args {
  MicroArgs m;
  int64_t block_bytes, tile_elems;
};

template <int MR, int NB>
QCONV_VNNI512 void micro_quads512(const Micro512Args& g) {
  const MicroArgs& m = g.m;
  __m512i acc[NB][MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NB; ++j) acc[j][i] = _mm512_setzero_si512();
  const uint8_t* b = m.b;
  for (int64_t s = 0; s < m.segments; ++s) {
    const uint8_t* a[MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) a[i] = m.px[i] + m.seg[s];
    for (int64_t t = 0; t < m.groups; ++t, b += kCoutBlock * kGroupBytes) {
      __m512i w[NB];
      for (int j = 0; j < NB; ++j) w[j] = _mm512_loadu_si512(b + j * g.block_bytes);
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) {
        const __m512i x = _mm512_set1_epi32(load_group(a[i] + kGroupBytes * t));
        for (int j = 0; j < NB; ++j) acc[j][i] = _mm512_dpbusd_epi32(acc[j][i], x, w[j]);
      }
    }
  }
  for (int j = 0; j < NB; ++j) {
    const __m512i bias = _mm512_loadu_si512(m.bias16 + 16 * j);
    const __m512 scale = _mm512_loadu_ps(m.scale16 + 16 * j);
    const __m512 lo = _mm512_set1_ps(-kHalfMax), hi = _mm512_set1_ps(kHalfMax);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {   // finish_scalar (half.h) on 16 lanes
      const __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(acc[j][i], bias)), scale);
      const __m256i h = _mm512_cvtps_ph(_mm512_min_ps(_mm512_max_ps(y, lo), hi),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(m.tile + j * g.tile_elems + i * kCoutBlock), h);
    }
  }
}

template <int NB>
QCONV_VNNI512 void micro_quads512_nb(const Micro512Args& g, int mr) {
  switch (mr) {
    case 8: return micro_quads512<8, NB>(g);
    case 7: return micro_quads512<7, NB>(g);
    case 6: return micro_quads512<6, NB>(g);
    case 5: return micro_quads512<5, NB>(g);
    case 4: return micro_quads512<4, NB>(g);
    case 3: return micro_quads512<3, NB>(g);
    case 2: return micro_quads512<2, NB>(g);
    default: return micro_quads512<1, NB>(g);
  }
}

QCONV_VNNI512 inline void micro_quads512(const Micro512Args& g, int mr, int nb) {
  if (nb == 2) micro_quads512_nb<2>(g, mr);
  else micro_quads512_nb<1>(g, mr);
}

}  // namespace qconv::cpu
#endif
