// Arch-neutral compute kernels of the cube-side APIs (LoadData 2D / transpose / 3D v2, Mmad, Fixpipe),
// implemented once in the twin's library as tight loops over raw arena memory, with poison propagation
// and synchronization bookkeeping. The API templates in cube.h validate operands and call these.
#pragma once

#include <cstdint>

#include "sim/core.h"
#include "sim/memory.h"

namespace qconv::sim {

struct Load2D {
    uint32_t start_index, repeat, src_stride, dst_gap;
    bool transpose;  // b16 only
    bool decrement;
    uint32_t elem_bytes;
};
void RunLoad2D(Core& c, Pipe pipe, const char* api, const Span& dst, const Span& src, const Load2D& p);

struct Load2DTranspose {
    uint32_t start_index, repeat, src_stride, dst_gap, dst_frac_gap;
};
void RunLoad2DTransposeB8(Core& c, const char* api, const Span& dst, const Span& src, const Load2DTranspose& p);

struct Load3D {
    uint32_t elem_bytes;  // 1 (int8) or 2 (half)
    uint32_t l1h, l1w;
    uint32_t pad_left, pad_right, pad_top, pad_bottom;
    uint32_t channel_size;
    uint32_t k_ext, m_ext, k_start, m_start;
    uint32_t stride_w, stride_h;
    uint32_t filter_w, filter_h;  // effective sizes (incl. +256 of filterSize*)
    uint32_t dil_w, dil_h;
    uint32_t pad_bits;  // padding register
};
void RunLoad3D(Core& c, const char* api, const Span& dst, const Span& src, const Load3D& p);

// int8 x int8 -> int32 (the only Mmad type pair the kit uses).
struct MmadArgs {
    uint32_t m, n, k;
    bool init_zero;
};
void RunMmad(Core& c, const char* api, const Span& dst, const Span& a, const Span& b, const MmadArgs& p);

enum class FixpipeOut : uint8_t { kS32, kF16Scalar, kF16Vector };
struct FixpipeArgs {
    FixpipeOut out;
    bool nz;  // CO2Layout::NZ; otherwise ROW_MAJOR (NZ2ND)
    uint32_t n_size, m_size, src_stride, dst_stride;
    uint32_t nd_num, src_nd_stride, dst_nd_stride;
    bool relu;
    uint64_t deq_scalar;
    uint32_t dst_elem_bytes;
};
// words: the per-column QUANT_PRE words (vector modes) or nullptr.
void RunFixpipe(Core& c, const char* api, const Span& dst, const Span& src, const Span* words, const FixpipeArgs& p);

// DEQF16 arithmetic of one element (矩阵搬出关键特性说明/随路量化.md table 1): half_sat(float(x) * fp19(word)).
uint16_t DequantToHalf(int32_t x, uint64_t word, bool relu);

}  // namespace qconv::sim
