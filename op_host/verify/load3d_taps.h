// Which input element Load3D v2 reads for a tap of an output position, from an fmap slab in L1, against the
// convolution's definition: the check that a slab (schedule::GetFmapSlab) and its Load3D parameters (the
// kernel's LoadAImg2col) make the cube multiply the right input. The model follows the pseudo-code of
// LoadData 3Dv2 (int8, no transpose; mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/
// 矩阵计算的搬入/LoadData_3D.md and its load3d.py).
#pragma once

#include <cstdint>

#include "op_kernel/quant_conv2d_schedule.h"

namespace qconv::verify {

// A tap's input element: in the padding, or row h, column w of the image.
struct Tap {
    bool pad;
    int64_t h;
    int64_t w;
};

// Load3D on `slab`: output position m_in_tile of a tile whose slab it is, kernel row i_rel and column j of
// `chunk` (relative to the chunk's first).
Tap Load3dTap(const QuantConv2dTilingData& td, const schedule::FmapSlab& slab, const schedule::KChunk& chunk,
              uint32_t m_in_tile, uint32_t i_rel, uint32_t j);

// The convolution: output position m of the image, kernel row i and column j.
Tap ConvTap(const QuantConv2dTilingData& td, uint32_t m, uint32_t i, uint32_t j);

// Whether Load3D on the slab of the tile's M range [m_start, m_start + m_len) and `chunk` reads what the
// convolution reads, on a deterministic sample of taps: the first and last position against the first and last
// kernel tap of the chunk, and a few spread by a hash of the range and the window. kFmapImg2col and
// kFmapKwPacked slabs only (the direct GEMM slab is no Load3D window).
bool SlabReadsTheConv(const QuantConv2dTilingData& td, const schedule::FmapSlab& slab, const schedule::KChunk& chunk,
                      uint32_t m_start, uint32_t m_len);

}  // namespace qconv::verify
