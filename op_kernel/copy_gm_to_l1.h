// GM -> L1 on the cube core's MTE2: the slabs one K chunk of a tile needs.
//   CopyFmapSlabToL1     ws.fmap NC1HWC0 [N][C1][H][W][32]  -> L1 [c1_count][rows][cols][32]     (img2col path)
//   CopyXRowsToL1Nd2Nz   x NCHW                             -> L1 Nz [ceil(m/32)][c1_count*32][32] (direct GEMM)
//   CopyWeightRowsToL1   FRACTAL_Z [C1*kh*kw][N1][16][32]   -> L1 [k frac][n frac][16][32] rows of a weight slab
// Every copy is as few DataCopy instructions as the 12/16-bit count and stride fields allow: each DMA pays a
// fixed cost that a whole slab amortises (docs/measurement.md).
#pragma once

#include "int8_fractal.h"
#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"

namespace qconv::kernel {

// Img2col path: image `batch`'s slab of the chunk, one DataCopy per channel group and up to 4095 rows
// (blockCount), each row `cols` 32-byte blocks with a source gap of W - cols; whole rows: every channel group
// of the chunk in one DataCopy.
__aicore__ inline void CopyFmapSlabToL1(const AscendC::LocalTensor<int8_t>& dst, const AscendC::GlobalTensor<int8_t>& fmap,
                                        const QuantConv2dTilingData& td, uint32_t batch, const schedule::KChunk& chunk,
                                        const schedule::FmapSlab& slab) {
    using namespace fractal;
    const uint64_t row_bytes = static_cast<uint64_t>(td.win) * kDataBlockBytes;
    const uint64_t run_blocks = static_cast<uint64_t>(slab.rows.count) * td.win;  // one channel group
    const uint64_t gap_blocks = static_cast<uint64_t>(td.hin - slab.rows.count) * td.win;
    if (slab.cols.count == td.win && run_blocks <= kMaxStride && gap_blocks <= kMaxStride &&
        chunk.c1_count <= kMaxBlockCount) {
        const uint64_t plane = static_cast<uint64_t>(batch) * td.c1 + chunk.c1_begin;
        AscendC::DataCopyParams params;
        params.blockCount = static_cast<uint16_t>(chunk.c1_count);
        params.blockLen = static_cast<uint16_t>(run_blocks);
        params.srcStride = static_cast<uint16_t>(gap_blocks);
        params.dstStride = 0;
        AscendC::DataCopy(dst, fmap[(plane * td.hin + slab.rows.begin) * row_bytes], params);
        return;
    }
    for (uint32_t c = 0; c < chunk.c1_count; ++c) {
        const uint64_t plane = (static_cast<uint64_t>(batch) * td.c1 + chunk.c1_begin + c) * td.hin;
        for (uint32_t r = 0; r < slab.rows.count; r += kMaxBlockCount) {
            const uint32_t rows = schedule::MinU32(kMaxBlockCount, slab.rows.count - r);
            const uint64_t src = (plane + slab.rows.begin + r) * row_bytes + slab.cols.begin * kDataBlockBytes;
            const uint32_t dst_off = ((c * slab.rows.count) + r) * slab.cols.count * kDataBlockBytes;
            AscendC::DataCopyParams params;
            params.blockCount = static_cast<uint16_t>(rows);
            params.blockLen = static_cast<uint16_t>(slab.cols.count);
            params.srcStride = static_cast<uint16_t>(td.win - slab.cols.count);
            params.dstStride = 0;
            AscendC::DataCopy(dst[dst_off], fmap[src], params);
        }
    }
}

// Direct GEMM path: the chunk's c1_count * 32 channel rows of image `batch`, positions [m_start, m_start +
// m_len) of each, as ND2NZ column blocks of 32 positions ([m block][row][32], rows c1_count * 32 apart), the
// last block zero-filled past m_len. One DMA (mirror-cann/asc-devkit @82b89a15
// examples/01_simd_cpp_api/03_basic_api/03_matrix_compute/load_data_l12l0/load_data_l12l0.asc: an int8 A
// given as [k, m] is moved with nValue = k, dValue = m, dstNzC0Stride = k aligned to 32).
__aicore__ inline void CopyXRowsToL1Nd2Nz(const AscendC::LocalTensor<int8_t>& dst, const AscendC::GlobalTensor<int8_t>& x,
                                          const QuantConv2dTilingData& td, uint32_t batch,
                                          const schedule::OutputTile& tile, const schedule::KChunk& chunk) {
#if __CCE_AICORE__ == 220  // the tiling takes this path on arch 2201 only (ND2NZ of int8 is 2201 hardware)
    const uint32_t rows = chunk.c1_count * fractal::kK0;
    const uint64_t plane = static_cast<uint64_t>(td.hin) * td.win;
    const uint64_t src = (static_cast<uint64_t>(batch) * td.cin + chunk.c1_begin * fractal::kK0) * plane + tile.m_start;
    AscendC::Nd2NzParams params;
    params.ndNum = 1;
    params.nValue = static_cast<uint16_t>(rows);
    params.dValue = static_cast<uint16_t>(tile.m_len);
    params.srcNdMatrixStride = 0;
    params.srcDValue = static_cast<uint16_t>(plane);
    params.dstNzC0Stride = static_cast<uint16_t>(rows);
    params.dstNzNStride = 1;
    params.dstNzMatrixStride = 0;
    AscendC::DataCopy(dst, x[src], params);
#else
    (void)dst, (void)x, (void)td, (void)batch, (void)tile, (void)chunk;
#endif
}

// K fractal rows [row_begin, row_end) of the chunk's weight slab: the tile's column fractals of each row,
// packed to [k frac][n frac] so LoadData 2D reads each K step as one contiguous run.
__aicore__ inline void CopyWeightRowsToL1(const AscendC::LocalTensor<int8_t>& dst,
                                          const AscendC::GlobalTensor<int8_t>& weight, const QuantConv2dTilingData& td,
                                          const schedule::OutputTile& tile, const schedule::KChunk& chunk,
                                          uint32_t row_begin, uint32_t row_end) {
    using namespace fractal;
    const uint32_t n_fracs = schedule::CeilDiv(tile.n_len, kN0);
    const uint32_t n_first = tile.n_start / kN0;
    const uint32_t src_gap = (td.n1 - n_fracs) * (kBytes / kDataBlockBytes);
    // One row per DataCopy when the gap between rows exceeds the 16-bit stride field (Cout > 65536).
    const uint32_t rows_per_copy = src_gap > kMaxStride ? 1 : kMaxBlockCount;
    for (uint32_t r = row_begin; r < row_end; r += rows_per_copy) {
        const uint32_t rows = schedule::MinU32(rows_per_copy, row_end - r);
        const uint64_t src = (static_cast<uint64_t>(chunk.k_frac_begin + r) * td.n1 + n_first) * kBytes;
        AscendC::DataCopyParams params;
        params.blockCount = static_cast<uint16_t>(rows);
        params.blockLen = static_cast<uint16_t>(n_fracs * (kBytes / kDataBlockBytes));
        params.srcStride = static_cast<uint16_t>(rows_per_copy == 1 ? 0 : src_gap);
        params.dstStride = 0;
        AscendC::DataCopy(dst[r * n_fracs * kBytes], weight[src], params);
    }
}

}  // namespace qconv::kernel
