// L1 -> L0A / L0B on the cube core's MTE1: one K step's operands in the layouts Mmad reads.
//   LoadImg2colToL0a       L1 fmap slab [c1][rows][cols][32] --Load3D v2--> L0A Zz [m/16][k/32][16][32] (img2col)
//   LoadNzRowsToL0a        L1 Nz [m/32][k rows][32]   --LoadDataWithTranspose--> L0A Zz          (direct GEMM)
//   LoadWeightStepToL0b    L1 weight slab [k frac][n frac][16][32] --LoadData 2D--> L0B Zn
#pragma once

#include "int8_fractal.h"
#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"

namespace qconv::kernel {

// Load3D reads FMATRIX and the padding value from the registers set by SetFmatrix /
// SetLoadDataPaddingValue (ops-nn style) instead of rewriting them on every call.
constexpr AscendC::IsResetLoad3dConfig kLoad3dUseRegisters = {false, false};

// The FMATRIX register for a slab now in L1 (its pads are the tile's and chunk's): once per slab, before its
// first Load3D.
__aicore__ inline void SetFmatrixForSlab(const schedule::FmapSlab& slab) {
    const uint8_t pads[4] = {static_cast<uint8_t>(slab.cols.pad_before), static_cast<uint8_t>(slab.cols.pad_after),
                             static_cast<uint8_t>(slab.rows.pad_before), static_cast<uint8_t>(slab.rows.pad_after)};
    AscendC::SetFmatrix(static_cast<uint16_t>(slab.rows.count), static_cast<uint16_t>(slab.cols.count), pads,
                        AscendC::FmatrixMode::FMATRIX_LEFT);
}

// Img2col path: K fractals [k_frac, + step_fracs) of the chunk for m positions from the slab's m_start_pt,
// reading the channel groups one Load3D covers (`load_fracs` K fractals: all of the chunk's, or on 2002 the
// group holding k_frac; schedule::Load3dKFracs) from `slab_data`, one image's slab.
__aicore__ inline void LoadImg2colToL0a(const AscendC::LocalTensor<int8_t>& a, const AscendC::LocalTensor<int8_t>& slab_data,
                                        const schedule::FmapSlab& slab, const QuantConv2dTilingData& td,
                                        const schedule::KChunk& chunk, uint32_t load_fracs, uint32_t k_frac,
                                        uint32_t step_fracs, uint32_t m) {
    using fractal::kK0;
    const uint32_t groups = load_fracs == chunk.k_fracs ? chunk.c1_count : 1;
    const uint32_t group_bytes = slab.rows.count * slab.cols.count * kK0;  // one channel group's slab
    AscendC::LoadData3DParamsV2<int8_t> img2col;
    img2col.padList[0] = static_cast<uint8_t>(slab.cols.pad_before);
    img2col.padList[1] = static_cast<uint8_t>(slab.cols.pad_after);
    img2col.padList[2] = static_cast<uint8_t>(slab.rows.pad_before);
    img2col.padList[3] = static_cast<uint8_t>(slab.rows.pad_after);
    img2col.l1H = static_cast<uint16_t>(slab.rows.count);
    img2col.l1W = static_cast<uint16_t>(slab.cols.count);
    img2col.channelSize = static_cast<uint16_t>(groups * kK0);
    img2col.kExtension = static_cast<uint16_t>(step_fracs * kK0);
    img2col.mExtension = static_cast<uint16_t>(m);
    img2col.kStartPt = static_cast<uint16_t>(k_frac % load_fracs * kK0);
    img2col.mStartPt = static_cast<uint16_t>(slab.m_start_pt);
    img2col.strideW = static_cast<uint8_t>(td.stride_w);
    img2col.strideH = static_cast<uint8_t>(td.stride_h);
    img2col.filterW = static_cast<uint8_t>(chunk.kw_count);
    img2col.filterH = static_cast<uint8_t>(chunk.kh_count);
    img2col.dilationFilterW = static_cast<uint8_t>(td.dilation_w);
    img2col.dilationFilterH = static_cast<uint8_t>(td.dilation_h);
    img2col.enTranspose = false;
    img2col.enSmallK = false;
    img2col.padValue = static_cast<int8_t>(td.offset_x);
    AscendC::LoadData<int8_t, kLoad3dUseRegisters>(a, slab_data[k_frac / load_fracs * group_bytes], img2col);
}

// Direct GEMM path, L0A Zz ([m / 16][step_fracs][16][32]): the square (m block mb, K fractal i) of the ND2NZ
// slab, rows = channels and columns = positions, transposes into fractals (2 mb, i) and (2 mb + 1, i)
// (LoadDataWithTranspose.md, b8: dst fractal j row r = square column 16 j + r). One call per m block with a
// repeat per K fractal, or one per K fractal with a repeat per m block, whichever issues fewer loads.
__aicore__ inline void LoadNzRowsToL0a(const AscendC::LocalTensor<int8_t>& a, const AscendC::LocalTensor<int8_t>& slab,
                                       const schedule::KChunk& chunk, uint32_t k_frac, uint32_t step_fracs, uint32_t m) {
#if __CCE_AICORE__ == 220  // LoadDataWithTranspose exists on arch 2201 only; the tiling takes this path there only
    using fractal::kBytes;
    using fractal::kK0;
    constexpr uint32_t kSquareBytes = kK0 * kK0;
    const uint32_t m_blocks = schedule::CeilDiv(m, kK0);
    const uint32_t rows = chunk.c1_count * kK0;  // channel rows per m block of the slab
    const uint32_t first = k_frac * kSquareBytes;
    AscendC::LoadData2dTransposeParams load;
    load.startIndex = 0;
    load.addrMode = 0;
    load.dstFracGap = static_cast<uint16_t>(step_fracs - 1);  // fractal 2mb + 1 is step_fracs after 2mb
    if (m_blocks <= step_fracs) {
        load.repeatTimes = static_cast<uint8_t>(step_fracs);
        load.srcStride = 1;
        load.dstGap = 0;
        for (uint32_t mb = 0; mb < m_blocks; ++mb) {
            AscendC::LoadDataWithTranspose(a[mb * 2 * step_fracs * kBytes], slab[mb * rows * kK0 + first], load);
        }
    } else {
        load.repeatTimes = static_cast<uint8_t>(m_blocks);
        load.srcStride = static_cast<uint16_t>(rows / kK0);       // squares from one m block to the next
        load.dstGap = static_cast<uint16_t>(2 * step_fracs - 1);  // two fractal rows of L0A per m block
        for (uint32_t i = 0; i < step_fracs; ++i) {
            AscendC::LoadDataWithTranspose(a[i * kBytes], slab[first + i * kSquareBytes], load);
        }
    }
#else
    (void)a, (void)slab, (void)chunk, (void)k_frac, (void)step_fracs, (void)m;
#endif
}

// L0B Zn for one K step: slab rows [k_frac, k_frac + step_fracs) x all n_fracs column fractals, contiguous in
// the slab; LoadData 2D in runs of up to 255 fractals.
__aicore__ inline void LoadWeightStepToL0b(const AscendC::LocalTensor<int8_t>& b, const AscendC::LocalTensor<int8_t>& weight,
                                           uint32_t k_frac, uint32_t step_fracs, uint32_t n_fracs) {
    using namespace fractal;
    const uint32_t fractals = step_fracs * n_fracs;
    for (uint32_t f = 0; f < fractals; f += kMaxLoad2dRepeat) {
        AscendC::LoadData2DParams load;
        load.startIndex = 0;
        load.repeatTimes = static_cast<uint8_t>(schedule::MinU32(kMaxLoad2dRepeat, fractals - f));
        load.srcStride = 1;
        load.dstGap = 0;
        load.ifTranspose = false;
        AscendC::LoadData(b[f * kBytes], weight[(k_frac * n_fracs + f) * kBytes], load);
    }
}

}  // namespace qconv::kernel
