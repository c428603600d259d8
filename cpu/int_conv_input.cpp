// int8 NCHW (any strides) -> int16 or biased uint8 NHWC padded with offset_x: int_conv's input.
#include <algorithm>

#include "int_conv_input.h"
#include "simd.h"

namespace qconv::cpu {
namespace {

constexpr int64_t kParallelElements = 1 << 19;   // as cast_pad.cpp: smaller passes stay on one thread

// The element each kind reads for an int8 value.
struct Pairs {
  using T = int16_t;
  static T of(int32_t v) { return static_cast<T>(v); }
};
struct Quads {
  using T = uint8_t;
  static T of(int32_t v) { return static_cast<T>(v + 128); }
};

template <class K>
void pixels_scalar(const int8_t* src, int64_t sc, int64_t sw, int64_t c, int64_t count, typename K::T* dst) {
  for (int64_t q = 0; q < count; ++q)
    for (int64_t ch = 0; ch < c; ++ch) dst[q * c + ch] = K::of(src[q * sw + ch * sc]);
}

#ifdef QCONV_CPU_X86
// 8 widened values -> the kind's elements at dst.
QCONV_AVX2 inline void store8(int16_t* dst, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), v); }
QCONV_AVX2 inline void store8(uint8_t* dst, __m128i v) {
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(_mm_packs_epi16(v, v), _mm_set1_epi8(-128)));
}

// Interior row: 8 channels x 8 pixels per tile, read as channel rows, transposed, written as pixels;
// a channels_last input (sc = 1) is copied pixel by pixel.
template <class K>
QCONV_AVX2 void row_avx2(const Int8View& x, const int8_t* src, typename K::T* dst) {
  const int64_t c8 = x.c / 8 * 8, c = x.c;
  int64_t w0 = 0;
  if (x.sw == 1 && c8 > 0) {
    for (; w0 + 8 <= x.w; w0 += 8) {
      for (int64_t c0 = 0; c0 < c8; c0 += 8) {
        __m128i h[8];
        for (int i = 0; i < 8; ++i)
          h[i] = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + (c0 + i) * x.sc + w0)));
        transpose8x8_epi16(h);
        for (int j = 0; j < 8; ++j) store8(dst + (w0 + j) * c + c0, h[j]);
      }
      for (int64_t ch = c8; ch < c; ++ch)
        for (int j = 0; j < 8; ++j) dst[(w0 + j) * c + ch] = K::of(src[ch * x.sc + w0 + j]);
    }
  } else if (x.sw == 1 && c < 8) {
    // Few channels (an RGB stem): the same 8x8 tiles with rows >= c re-reading row 0, each pixel's
    // 8-element store running over into the following pixels, which later stores rewrite; a tile is
    // taken only while its last store ends inside the row, the rest is left to the scalar code.
    for (; (w0 + 7) * c + 8 <= x.w * c; w0 += 8) {
      __m128i h[8];
      for (int64_t i = 0; i < 8; ++i)
        h[i] = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + (i < c ? i : 0) * x.sc + w0)));
      transpose8x8_epi16(h);
      for (int j = 0; j < 8; ++j) store8(dst + (w0 + j) * c, h[j]);
    }
  } else if (x.sc == 1) {
    for (; w0 < x.w; ++w0) {
      const int8_t* s = src + w0 * x.sw;
      typename K::T* d = dst + w0 * c;
      int64_t ch = 0;
      for (; ch + 8 <= c; ch += 8) store8(d + ch, _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s + ch))));
      for (; ch < c; ++ch) d[ch] = K::of(s[ch]);
    }
  }
  pixels_scalar<K>(src + w0 * x.sw, x.sc, x.sw, c, x.w - w0, dst + w0 * c);
}
#endif

template <class K>
void cast_pad_kind(const Int8View& x, typename K::T* out, int64_t ph, int64_t pw, int32_t offset_x, bool simd) {
  const int64_t hp = x.h + 2 * ph, wp = x.w + 2 * pw, c = x.c;
  const typename K::T pad = K::of(offset_x);
#pragma omp parallel for schedule(static) if (x.n * hp * wp * c >= kParallelElements)
  for (int64_t nr = 0; nr < x.n * hp; ++nr) {
    const int64_t n = nr / hp, r = nr % hp;
    typename K::T* row = out + nr * wp * c;
    if (r < ph || r >= ph + x.h) {
      std::fill(row, row + wp * c, pad);
      continue;
    }
    std::fill(row, row + pw * c, pad);
    std::fill(row + (pw + x.w) * c, row + wp * c, pad);
    const int8_t* src = x.data + n * x.sn + (r - ph) * x.sh;
#ifdef QCONV_CPU_X86
    if (simd) {
      row_avx2<K>(x, src, row + pw * c);
      continue;
    }
#else
    (void)simd;
#endif
    pixels_scalar<K>(src, x.sc, x.sw, c, x.w, row + pw * c);
  }
}

}  // namespace

void cast_pad_int(const Int8View& x, IntKernel kind, uint8_t* out, int64_t ph, int64_t pw, int32_t offset_x,
                  bool simd) {
  if (kind == IntKernel::kPairs) cast_pad_kind<Pairs>(x, reinterpret_cast<int16_t*>(out), ph, pw, offset_x, simd);
  else cast_pad_kind<Quads>(x, out, ph, pw, offset_x, simd);
}

}  // namespace qconv::cpu
