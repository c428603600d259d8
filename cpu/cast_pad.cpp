// int8 NCHW (any strides) -> float32 padded with offset_x, NHWC or NCHW, in one pass over the output.
#include <algorithm>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace qconv::cpu {
namespace {

// Below this many elements a pass takes ~0.1 ms on one core: a parallel region costs more than it
// saves, and on a loaded machine every extra barrier risks waiting out a descheduled thread.
constexpr int64_t kParallelElements = 1 << 19;

// dst[i] = src[i * stride], i < len.
void convert_run_scalar(const int8_t* src, int64_t stride, float* dst, int64_t len) {
  for (int64_t i = 0; i < len; ++i) dst[i] = static_cast<float>(src[i * stride]);
}

#ifdef QCONV_CPU_X86
QCONV_AVX2 void convert_run_avx2(const int8_t* src, int64_t stride, float* dst, int64_t len) {
  if (stride != 1) return convert_run_scalar(src, stride, dst, len);
  int64_t i = 0;
  for (; i + 8 <= len; i += 8) _mm256_storeu_ps(dst + i, load8_i8_as_f32(src + i));
  for (; i < len; ++i) dst[i] = static_cast<float>(src[i]);
}

// Interior row hh of image n into NHWC pixels dst (pixel stride ct), channels [0, C): 8x8 tiles of
// (channel, pixel) are read as channel rows and written as pixel rows.
QCONV_AVX2 void nhwc_row_avx2(const Int8View& x, int64_t n, int64_t hh, float* dst, int64_t ct) {
  const int8_t* base = x.data + n * x.sn + hh * x.sh;
  const int64_t c8 = x.c / 8 * 8;
  int64_t w0 = 0;
  if (x.sw == 1) {
    for (; w0 + 8 <= x.w; w0 += 8) {
      for (int64_t c0 = 0; c0 < c8; c0 += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; ++i) r[i] = load8_i8_as_f32(base + (c0 + i) * x.sc + w0);
        transpose8x8(r);
        for (int j = 0; j < 8; ++j) _mm256_storeu_ps(dst + (w0 + j) * ct + c0, r[j]);
      }
      for (int64_t c = c8; c < x.c; ++c)
        for (int j = 0; j < 8; ++j) dst[(w0 + j) * ct + c] = static_cast<float>(base[c * x.sc + w0 + j]);
    }
  }
  for (int64_t ww = w0; ww < x.w; ++ww) convert_run_avx2(base + ww * x.sw, x.sc, dst + ww * ct, x.c);
}
#endif

void nhwc_row_scalar(const Int8View& x, int64_t n, int64_t hh, float* dst, int64_t ct) {
  const int8_t* base = x.data + n * x.sn + hh * x.sh;
  for (int64_t ww = 0; ww < x.w; ++ww) convert_run_scalar(base + ww * x.sw, x.sc, dst + ww * ct, x.c);
}

void cast_pad_nhwc(const Int8View& x, float* out, int64_t ct, int64_t ph, int64_t pw, int32_t offset_x,
                   bool simd) {
  const int64_t hp = x.h + 2 * ph, wp = x.w + 2 * pw;
  std::vector<float> border(static_cast<size_t>(ct), 0.0f);  // one padding pixel
  std::fill(border.begin(), border.begin() + x.c, static_cast<float>(offset_x));
  const auto fill = [&](float* px, int64_t count) {
    for (int64_t i = 0; i < count; ++i) std::copy(border.begin(), border.end(), px + i * ct);
  };
#pragma omp parallel for schedule(static) if (x.n * hp * wp * ct >= kParallelElements)
  for (int64_t nr = 0; nr < x.n * hp; ++nr) {
    const int64_t n = nr / hp, r = nr % hp;
    float* row = out + nr * wp * ct;
    if (r < ph || r >= ph + x.h) {
      fill(row, wp);
      continue;
    }
    fill(row, pw);
    fill(row + (pw + x.w) * ct, pw);
    float* interior = row + pw * ct;
#ifdef QCONV_CPU_X86
    if (simd) nhwc_row_avx2(x, n, r - ph, interior, ct);
    else nhwc_row_scalar(x, n, r - ph, interior, ct);
#else
    (void)simd;
    nhwc_row_scalar(x, n, r - ph, interior, ct);
#endif
    if (ct > x.c)
      for (int64_t ww = 0; ww < x.w; ++ww) std::fill(interior + ww * ct + x.c, interior + (ww + 1) * ct, 0.0f);
  }
}

void cast_pad_nchw(const Int8View& x, float* out, int64_t ct, int64_t ph, int64_t pw, int32_t offset_x,
                   bool simd) {
  const int64_t hp = x.h + 2 * ph, wp = x.w + 2 * pw;
  const float pad = static_cast<float>(offset_x);
#pragma omp parallel for schedule(static) if (x.n * ct * hp * wp >= kParallelElements)
  for (int64_t nc = 0; nc < x.n * ct; ++nc) {
    const int64_t n = nc / ct, c = nc % ct;
    float* plane = out + nc * hp * wp;
    if (c >= x.c) {
      std::fill(plane, plane + hp * wp, 0.0f);
    } else {
      std::fill(plane, plane + ph * wp, pad);
      std::fill(plane + (ph + x.h) * wp, plane + hp * wp, pad);
      for (int64_t hh = 0; hh < x.h; ++hh) {
        float* row = plane + (ph + hh) * wp;
        std::fill(row, row + pw, pad);
        std::fill(row + pw + x.w, row + wp, pad);
        const int8_t* src = x.data + n * x.sn + c * x.sc + hh * x.sh;
#ifdef QCONV_CPU_X86
        if (simd) convert_run_avx2(src, x.sw, row + pw, x.w);
        else convert_run_scalar(src, x.sw, row + pw, x.w);
#else
        (void)simd;
        convert_run_scalar(src, x.sw, row + pw, x.w);
#endif
      }
    }
  }
}

}  // namespace

void cast_pad(const Int8View& x, float* out, int64_t ct, int64_t ph, int64_t pw, int32_t offset_x,
              bool channels_last, bool allow_simd) {
  const bool simd = allow_simd && has_avx2_f16c();
  if (channels_last) cast_pad_nhwc(x, out, ct, ph, pw, offset_x, simd);
  else cast_pad_nchw(x, out, ct, ph, pw, offset_x, simd);
}

}  // namespace qconv::cpu
