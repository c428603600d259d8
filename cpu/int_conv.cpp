// int_conv: blocking, threading and the NCHW store of the integer convolution (int_conv.h).
//
// Work is split into items of (image, block of <= 96 output pixels, range of 16-channel blocks). An
// item walks its channel blocks (in pairs for the 512-bit kernel); for each, its pixels in micro
// tiles of 6 (8 for the 512-bit kernel), whose float16 results collect in a 96 x 16 tile per block,
// transposed into the NCHW output 8 x 8 at a time. A block's input
// rows stay in L2 across its channel blocks; a channel block's packed weights (kgroups x 64 bytes)
// stay in L1/L2 across its pixels. When there are too few pixel blocks to keep every thread busy
// (deep layers: 7x7 outputs, 512 channels), the channel blocks are divided among items instead,
// so that each thread streams only its share of the weights.
#include <algorithm>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "int_conv.h"
#include "int_conv_input.h"
#include "int_conv_micro.h"
#include "int_conv_micro512.h"

namespace qconv::cpu {

bool has_avx512_vnni() {
#ifdef QCONV_CPU_X86
  static const bool supported = has_avx2_f16c() && __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  return supported;
#else
  return false;
#endif
}

IntKernel best_int_kernel() { return has_avx512_vnni() ? IntKernel::kQuads : IntKernel::kPairs; }

namespace {

constexpr int64_t kBlockPixels = 96;    // multiple of 24: whole 6-pixel tiles and 8-pixel transposes
constexpr int64_t kSlackBytes = 64;     // after the input: the over-read of a run's last group
constexpr int64_t kParallelMacs = 1 << 21;

// Pixels per block: the fewest blocks of <= 96 pixels, evened out, rounded up to a multiple of 24.
int64_t block_pixels(int64_t p) {
  const int64_t blocks = (p + kBlockPixels - 1) / kBlockPixels;
  const int64_t even = (p + blocks - 1) / blocks;
  return std::min(kBlockPixels, (even + 23) / 24 * 24);
}

int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// The calling thread's input buffer, grown and kept: a fresh multi-MB allocation per call would be
// page-faulted in again every time.
std::vector<uint8_t>& input_buffer() {
  thread_local std::vector<uint8_t> buffer;
  return buffer;
}

enum class Path { kScalar, kPairsAvx2, kQuadsVnni, kQuads512 };

struct Block {
  const IntConvArgs* a;
  const ReductionPlan* plan;
  const int64_t* seg;
  const uint8_t* const* px;   // pc pixel addresses
  int64_t n, p0, pc;
};

// tile (pc pixels x 16 channels, float16) -> out[n, c0 .. c0+valid, p0 .. p0+pc].
void store_scalar(const Block& k, const uint16_t* tile, int64_t c0, int64_t valid) {
  const int64_t p = k.a->ho * k.a->wo;
  uint16_t* out = k.a->out + (k.n * k.a->cout + c0) * p + k.p0;
  for (int64_t q = 0; q < k.pc; ++q)
    for (int64_t c = 0; c < valid; ++c) out[c * p + q] = tile[q * kCoutBlock + c];
}

#ifdef QCONV_CPU_X86
QCONV_AVX2 void store_avx2(const Block& k, const uint16_t* tile, int64_t c0, int64_t valid) {
  const int64_t p = k.a->ho * k.a->wo, q8 = k.pc / 8 * 8;
  uint16_t* out = k.a->out + (k.n * k.a->cout + c0) * p + k.p0;
  for (int64_t q0 = 0; q0 < q8; q0 += 8)
    for (int64_t half = 0; half * 8 < valid; ++half) {
      __m128i h[8];
      for (int j = 0; j < 8; ++j)
        h[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tile + (q0 + j) * kCoutBlock + half * 8));
      transpose8x8_epi16(h);
      for (int64_t i = 0; i < 8 && half * 8 + i < valid; ++i)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + (half * 8 + i) * p + q0), h[i]);
    }
  for (int64_t q = q8; q < k.pc; ++q)
    for (int64_t c = 0; c < valid; ++c) out[c * p + q] = tile[q * kCoutBlock + c];
}
#endif

// Channel blocks cb .. cb+nb-1 (nb <= 2) of one pixel block: micro tiles, then the NCHW store.
void run_channel_blocks(const Block& k, int64_t cb, int64_t nb, Path path) {
  const IntConvArgs& a = *k.a;
  const auto correction = reinterpret_cast<const int32_t*>(a.packed);
  alignas(64) int32_t bias[2 * kCoutBlock] = {};
  alignas(64) float scale[2 * kCoutBlock] = {};
  const int64_t c0 = cb * kCoutBlock, channels = std::min(nb * kCoutBlock, a.cout - c0);
  for (int64_t c = 0; c < channels; ++c) {   // bias + correction, wrapping as int32
    const uint32_t b = a.bias ? static_cast<uint32_t>(a.bias[c0 + c]) : 0u;
    bias[c] = static_cast<int32_t>(b + static_cast<uint32_t>(correction[c0 + c]));
    scale[c] = a.scale[c0 + c];
  }
  const int64_t cblocks = (a.cout + kCoutBlock - 1) / kCoutBlock;
  const int64_t block_bytes = k.plan->kgroups() * kCoutBlock * kGroupBytes;
  const uint8_t* weights = a.packed + cblocks * kCoutBlock * 4 + cb * block_bytes;
  constexpr int64_t kTile = kBlockPixels * kCoutBlock;
  alignas(64) uint16_t tile[2 * kTile];
#ifdef QCONV_CPU_X86
  if (path == Path::kQuads512) {
    Micro512Args g{{nullptr, k.seg, k.plan->segments, k.plan->groups, weights, bias, scale, nullptr}, block_bytes,
                   kTile};
    for (int64_t q0 = 0; q0 < k.pc; q0 += kMaxMr512) {
      g.m.px = k.px + q0;
      g.m.tile = tile + q0 * kCoutBlock;
      micro_quads512(g, static_cast<int>(std::min<int64_t>(kMaxMr512, k.pc - q0)), static_cast<int>(nb));
    }
  } else
#endif
    for (int64_t j = 0; j < nb; ++j) {
      MicroArgs m{nullptr, k.seg, k.plan->segments, k.plan->groups, weights + j * block_bytes,
                  bias + j * kCoutBlock, scale + j * kCoutBlock, nullptr};
      const int64_t max_mr = path == Path::kPairsAvx2 ? kMaxMrPairs : kMaxMr;
      for (int64_t q0 = 0; q0 < k.pc; q0 += max_mr) {
        const int mr = static_cast<int>(std::min<int64_t>(max_mr, k.pc - q0));
        m.px = k.px + q0;
        m.tile = tile + j * kTile + q0 * kCoutBlock;
        switch (path) {
#ifdef QCONV_CPU_X86
          case Path::kPairsAvx2: micro_pairs(m, mr); break;
          case Path::kQuadsVnni: micro_quads(m, mr); break;
#endif
          default:
            if (a.kind == IntKernel::kPairs) micro_scalar<IntKernel::kPairs>(m, mr);
            else micro_scalar<IntKernel::kQuads>(m, mr);
        }
      }
    }
  for (int64_t j = 0; j < nb; ++j) {
    const int64_t valid = std::min(kCoutBlock, a.cout - c0 - j * kCoutBlock);
#ifdef QCONV_CPU_X86
    if (path != Path::kScalar) {
      store_avx2(k, tile + j * kTile, c0 + j * kCoutBlock, valid);
      continue;
    }
#endif
    store_scalar(k, tile + j * kTile, c0 + j * kCoutBlock, valid);
  }
}

Path choose_path(IntKernel kind, int vector_bits) {
  if (vector_bits < 256) return Path::kScalar;
  const bool wide = vector_bits >= 512;
  if (kind == IntKernel::kQuads) return has_avx512_vnni() ? (wide ? Path::kQuads512 : Path::kQuadsVnni) : Path::kScalar;
  return has_avx2_f16c() ? Path::kPairsAvx2 : Path::kScalar;
}

}  // namespace

void int_conv(const IntConvArgs& a, int vector_bits) {
  const Path path = choose_path(a.kind, vector_bits);
  const Int8View& x = a.x;
  const ReductionPlan plan = plan_reduction(a.kind, x.c, a.kh, a.kw, a.dh, a.dw);
  const int64_t hp = x.h + 2 * a.ph, wp = x.w + 2 * a.pw, image = hp * wp * x.c * plan.elem_bytes();

  std::vector<uint8_t>& buffer = input_buffer();
  buffer.resize(static_cast<size_t>(x.n * image + kSlackBytes));
  std::fill(buffer.end() - kSlackBytes, buffer.end(), uint8_t{0});
  cast_pad_int(x, a.kind, buffer.data(), a.ph, a.pw, a.offset_x, path != Path::kScalar);

  std::vector<int64_t> seg(static_cast<size_t>(plan.segments));
  for (int64_t s = 0; s < plan.segments; ++s) seg[s] = plan.offset_bytes(s, wp);

  const int64_t p = a.ho * a.wo, mb = block_pixels(p), blocks = (p + mb - 1) / mb;
  const int64_t cblocks = (a.cout + kCoutBlock - 1) / kCoutBlock;
  // Channel blocks per item: all of them when the pixel blocks alone make >= 8 items per thread
  // (dynamic scheduling then evens out a ragged last block); fewer, in whole micro-kernel units, until
  // they do.
  const int64_t unit = path == Path::kQuads512 ? 2 : 1, threads = max_threads();
  int64_t per_item = (cblocks + unit - 1) / unit * unit;
  while (per_item > unit && x.n * blocks * ((cblocks + per_item - 1) / per_item) < 8 * threads)
    per_item = std::max(unit, (per_item / 2 + unit - 1) / unit * unit);
  const int64_t chunks = (cblocks + per_item - 1) / per_item, items = x.n * blocks * chunks;
  const bool parallel = items > 1 && x.n * p * a.cout * plan.kgroups() * plan.lanes() >= kParallelMacs;
  const int64_t pixel_bytes = x.c * plan.elem_bytes();

#pragma omp parallel for schedule(dynamic, 1) if (parallel)
  for (int64_t it = 0; it < items; ++it) {
    const int64_t chunk = it % chunks, nb = it / chunks, n = nb / blocks, p0 = nb % blocks * mb;
    const int64_t pc = std::min(mb, p - p0);
    const uint8_t* px[kBlockPixels];
    const uint8_t* img = buffer.data() + n * image;
    for (int64_t q = 0; q < pc; ++q) {
      const int64_t oh = (p0 + q) / a.wo, ow = (p0 + q) % a.wo;
      px[q] = img + (oh * a.sh * wp + ow * a.sw) * pixel_bytes;
    }
    const Block k{&a, &plan, seg.data(), px, n, p0, pc};
    const int64_t cb_end = std::min(cblocks, (chunk + 1) * per_item);
    for (int64_t cb = chunk * per_item; cb < cb_end; cb += unit)   // the 512-bit kernel takes pairs
      run_channel_blocks(k, cb, std::min(unit, cb_end - cb), path);
  }
}

}  // namespace qconv::cpu
