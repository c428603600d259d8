// L1, L0A, L0B and L0C of the cube side: the one statement of what CubeConv::Init (stage_cube_conv.h) allocates
// from its TPipe at each level, as functions of the tiling fields. The kernel takes its InitBuffer lengths from
// here and op_host's tiling its L0 and L1 budgets (l0_tiling.cpp, l1_tiling.cpp, tiling_budgets.cpp and the
// report of tiling_engine.cpp), so the kernel and the tiling cannot disagree;
// tests/cube_buffer_budget_twin_test.cpp checks the twin's allocation at each level against these numbers. Plain
// integer arithmetic, no Ascend C types, like vector_ub_budget.h (the UB side).
//
//   L1   A1 queue: fmap_l1_buffers x an fmap slab of fmap_l1_bytes (FmapSlabBytes of the worst tile and chunk)
//        B1 queue: weight_l1_buffers x a weight slab of weight_l1_bytes (WeightSlabBytes of the largest chunk)
//   L0A  A2 queue: l0a_buffers x an m_l0 x k_l0 int8 tile; on 310P with offset_x != 0 (offset_x_zero_point)
//        one more such tile, the constant zero-point tile (a TBuf)
//   L0B  B2 queue: l0b_buffers x a k_l0 x n_l0 int8 tile
//   L0C  CO1 queue: l0c_buffers x an m_l0 x n_l0 int32 tile
// Every buffer is rounded up to 32 B, as InitBuffer places them (the tiling's lengths are whole fractals already).
// 64-bit: op_host evaluates these on tiling data broken on purpose too, where 32 bits could wrap.
#pragma once

#include <stdint.h>

#include "int8_fractal.h"

#ifndef __aicore__
#define __aicore__
#endif

namespace qconv {
namespace cube_buffers {

constexpr uint32_t kAlign = 32;            // InitBuffer's rounding, at every level
constexpr uint32_t kFractalBytes = fractal::kBytes;  // one int8 fractal: 16 rows x 32 K
constexpr uint32_t kC0 = fractal::kK0;     // int8 K per fractal (and bytes per NC1HWC0 position)
constexpr uint32_t kN0 = fractal::kN0;     // output channels per fractal column

__aicore__ inline constexpr uint64_t Align(uint64_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

// ---- L1 ----
// An fmap slab: per image of the tile, c1 channel groups of rows x cols positions of 32 int8 channels (NC1HWC0).
__aicore__ inline constexpr uint64_t FmapSlabBytes(uint64_t images, uint64_t c1, uint64_t rows, uint64_t cols) {
    return images * c1 * rows * cols * kC0;
}
// A weight slab: k_fracs FRACTAL_Z rows (K / 32) of n_l0 / 16 fractals.
__aicore__ inline constexpr uint64_t WeightSlabBytes(uint64_t k_fracs, uint32_t n_l0) {
    return k_fracs * (n_l0 / kN0) * kFractalBytes;
}
__aicore__ inline constexpr uint64_t L1Bytes(uint32_t fmap_buffers, uint64_t fmap_slab_bytes, uint32_t weight_buffers,
                                             uint64_t weight_slab_bytes) {
    return fmap_buffers * Align(fmap_slab_bytes) + weight_buffers * Align(weight_slab_bytes);
}

// ---- L0A ----
__aicore__ inline constexpr uint64_t ATileBytes(uint32_t m_l0, uint32_t k_l0) { return Align(uint64_t{m_l0} * k_l0); }
// zero_point_tiles: 1 with the 310P zero-point tile (tiling field offset_x_zero_point), else 0.
__aicore__ inline constexpr uint64_t L0ABytes(uint32_t l0a_buffers, uint32_t zero_point_tiles, uint32_t m_l0,
                                              uint32_t k_l0) {
    return (uint64_t{l0a_buffers} + zero_point_tiles) * ATileBytes(m_l0, k_l0);
}

// ---- L0B ----
__aicore__ inline constexpr uint64_t BTileBytes(uint32_t k_l0, uint32_t n_l0) { return Align(uint64_t{k_l0} * n_l0); }
__aicore__ inline constexpr uint64_t L0BBytes(uint32_t l0b_buffers, uint32_t k_l0, uint32_t n_l0) {
    return l0b_buffers * BTileBytes(k_l0, n_l0);
}

// ---- L0C ----
__aicore__ inline constexpr uint64_t CTileBytes(uint32_t m_l0, uint32_t n_l0) {
    return Align(uint64_t{m_l0} * n_l0 * sizeof(int32_t));
}
__aicore__ inline constexpr uint64_t L0CBytes(uint32_t l0c_buffers, uint32_t m_l0, uint32_t n_l0) {
    return l0c_buffers * CTileBytes(m_l0, n_l0);
}

}  // namespace cube_buffers
}  // namespace qconv
