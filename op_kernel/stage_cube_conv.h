// The cube side of QuantConv2d: per output tile of the schedule, an int32 m x n accumulator in L0C over all
// of K, fed by img2col (Load3D v2) from fmap slabs in L1 and by FRACTAL_Z weight slabs through L0B. This file
// holds the tile loop, its queues and the two drivers (2201 Fixpipe to ws.acc, 2002 L0C -> UB); the copies
// are copy_gm_to_l1.h and copy_l1_to_l0.h.
//
//   img2col path (QuantConv2dFmapPath kFmapImg2col):
//   ws.fmap  (NC1HWC0)   --DataCopy (MTE2)-->  L1 fmap slab  [c1][rows][cols][32]   (A1 queue)
//   direct GEMM path (kFmapDirectGemm, 1x1 stride 1 on 2201): A = x^T of the image, K = Cin rows of M positions
//   x (NCHW) --DataCopy ND2NZ (MTE2)--> L1 [ceil(m/32)][c1 * 32 rows][32 positions]
//            --LoadDataWithTranspose (MTE1): each 32 x 32 square -> two 16 x 32 Zz fractals--> L0A
//   ws.weight (FRACTAL_Z)--DataCopy (MTE2)-->  L1 weight slab [k frac][n frac][16][32] (B1 queue)
//   L1 fmap slab  --Load3D v2 (MTE1, pad = offset_x)-->  L0A Zz  (A2 queue)
//   L1 weight slab--LoadData 2D (MTE1)------------------>  L0B Zn  (B2 queue)
//   Mmad int8 x int8 -> int32 L0C NZ (CO1 queue), cmatrixInitVal on the tile's first K step
//   2201: Fixpipe (NoQuant, NZ) L0C -> the block's ws.acc ring slot, with the credit protocol of
//         stage_cross_core.h; 2002: DataCopy L0C -> UB (BLOCK_MODE_MATRIX) and the caller's on_tile.
//
// Layout agreements (op_kernel/README.md): the acc tile, in ws.acc (2201) and in UB (2002) alike, is NZ with
// a column-block stride of m_l0 rows: element (m, n) at ((n / 16) * m_l0 + m) * 16 + n % 16, rows
// m < m_len written. Buffer counts and sizes come from the tiling (op_host/tiling); queues give every
// inter-pipe hand-off its flags, and two buffers per queue let the next load run under the current compute.
#pragma once

#include "copy_gm_to_l1.h"
#include "copy_l1_to_l0.h"
#include "int8_fractal.h"
#include "kernel_operator.h"
#include "cube_buffer_budget.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"
#include "vector_ub_budget.h"
#if __CCE_AICORE__ == 220
#include "stage_cross_core.h"
#endif

namespace qconv::kernel {

class CubeConv {
public:
    static constexpr uint32_t kC0 = fractal::kK0;
    static constexpr uint32_t kN0 = fractal::kN0;
    static constexpr uint32_t kFractalBytes = fractal::kBytes;

    // `weight` is the op's filter input: read as it is when it arrived in FRACTAL_Z, else ws.weight is; `x` is
    // read as it is on the direct GEMM path, else ws.fmap is.
    __aicore__ inline void Init(AscendC::TPipe* pipe, GM_ADDR x, GM_ADDR weight, GM_ADDR workspace,
                                const QuantConv2dTilingData& td, uint32_t block) {
        td_ = &td;
        work_ = schedule::GetBlockWork(td, block);
        if (td.fmap_path == kFmapDirectGemm) {
            fmap_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(x),
                                     static_cast<uint64_t>(td.batch) * td.cin * td.hin * td.win);
        } else {
            fmap_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(workspace + td.ws_fmap_offset), td.ws_fmap_bytes);
        }
        const uint64_t fractal_z_bytes = static_cast<uint64_t>(td.c1) * td.kh * td.kw * td.n1 * kFractalBytes;
        weight_gm_.SetGlobalBuffer(
            reinterpret_cast<__gm__ int8_t*>(schedule::CubeWeightInWorkspace(td) ? workspace + td.ws_weight_offset : weight),
            fractal_z_bytes);
        // The budgets of cube_buffer_budget.h, one InitBuffer per term.
        pipe->InitBuffer(fmap_l1_, td.fmap_l1_buffers, static_cast<uint32_t>(cube_buffers::Align(td.fmap_l1_bytes)));
        pipe->InitBuffer(weight_l1_, td.weight_l1_buffers, static_cast<uint32_t>(cube_buffers::Align(td.weight_l1_bytes)));
        pipe->InitBuffer(a_l0_, td.l0a_buffers, static_cast<uint32_t>(cube_buffers::ATileBytes(td.m_l0, td.k_l0)));
        pipe->InitBuffer(b_l0_, td.l0b_buffers, static_cast<uint32_t>(cube_buffers::BTileBytes(td.k_l0, td.n_l0)));
        pipe->InitBuffer(c_l0_, td.l0c_buffers, static_cast<uint32_t>(cube_buffers::CTileBytes(td.m_l0, td.n_l0)));
        if (td.offset_x_zero_point != 0) {
            pipe->InitBuffer(zero_point_a_, static_cast<uint32_t>(cube_buffers::ATileBytes(td.m_l0, td.k_l0)));
            FillZeroPointTile();
        }
        // As uint8_t: on arch 2002 SetLoadDataPaddingValue<int8_t> sign-extends before doubling the byte
        // (8.1.RC1 impl/dav_m200/kernel_operator_mm_impl.h), so a negative offset_x would break the b8 rule
        // PADDING[15:8] == PADDING[7:0]; the uint8_t bit pattern is the int8 padding value on both arches.
        AscendC::SetLoadDataPaddingValue<uint8_t>(static_cast<uint8_t>(static_cast<int8_t>(td.offset_x)));
    }

    // Before phase 1's barrier (2201): the first prefetch_weight_rows K rows of the block's first weight slab,
    // when the cube reads its FRACTAL_Z filter input as it arrived (phase 1 does not write it), so that their
    // DMA runs under the layout work. The tiling sizes them to end with it: SyncAll begins by draining every
    // pipe of the core (PipeBarrier<PIPE_ALL>, CANN 8.1.RC1 impl/dav_c220/kernel_operator_sync_impl.h
    // SyncAllImpl), so rows that outlast the layout delay the cube. The first ComputeTile loads the rest.
    __aicore__ inline void PrefetchFirstWeightRows() {
        if (work_.tiles == 0 || td_->prefetch_weight_rows == 0 || schedule::CubeWeightInWorkspace(*td_)) {
            return;
        }
        const schedule::OutputTile tile = schedule::GetTile(*td_, work_, 0);
        const schedule::KChunk chunk = schedule::GetKChunk(*td_, work_.k_chunk_begin);
        first_weight_ = weight_l1_.AllocTensor<int8_t>();
        first_weight_rows_ = schedule::MinU32(td_->prefetch_weight_rows, chunk.k_fracs);
        CopyWeightRowsToL1(first_weight_, weight_gm_, *td_, tile, chunk, 0, first_weight_rows_);
        has_first_weight_ = true;
    }

    __aicore__ inline uint32_t Tiles() const { return work_.tiles; }
    __aicore__ inline const schedule::BlockWork& Work() const { return work_; }

    // Accumulates tile `t` of the block over the block's K chunks (all of K, or its K slice's) into a fresh L0C
    // tensor; the caller moves it out and frees it with ReleaseAcc.
    __aicore__ inline AscendC::LocalTensor<int32_t> ComputeTile(const schedule::OutputTile& tile) {
        AscendC::LocalTensor<int32_t> acc = c_l0_.AllocTensor<int32_t>();
        bool first_step = true;
        for (uint32_t ci = work_.k_chunk_begin; ci < work_.k_chunk_begin + work_.k_chunk_count; ++ci) {
            const schedule::KChunk chunk = schedule::GetKChunk(*td_, ci);
            AscendC::LocalTensor<int8_t> weight = AcquireWeightSlab(tile, chunk);
            FmapInL1 fmap = LoadFmapSlab(tile, chunk);
            const uint32_t load_fracs = LoadKFracs(chunk);
            for (uint32_t k_frac = 0; k_frac < chunk.k_fracs;) {
                const uint32_t step_fracs = schedule::MinU32(td_->k_l0 / kC0, load_fracs - k_frac % load_fracs);
                MultiplyStep(acc, fmap, weight, tile, chunk, k_frac, step_fracs, first_step);
                first_step = false;
                k_frac += step_fracs;
            }
            fmap_l1_.FreeTensor(fmap.data);
            if (td_->weight_resident == 0) {
                weight_l1_.FreeTensor(weight);
            }
        }
        c_l0_.EnQue(acc);
        return c_l0_.DeQue<int32_t>();
    }

    __aicore__ inline void ReleaseAcc(AscendC::LocalTensor<int32_t>& acc) { c_l0_.FreeTensor(acc); }

    // Mmad m and n of a tile: whole fractals (m == 1 would select GEMV mode, Mmad.md).
    __aicore__ inline uint32_t MmadM(const schedule::OutputTile& tile) const { return schedule::TileRows(*td_, tile); }
    __aicore__ inline uint32_t MmadN(const schedule::OutputTile& tile) const { return schedule::AlignUp16(tile.n_len); }

    __aicore__ inline void Finish() {
        if (has_resident_weight_) {
            weight_l1_.FreeTensor(resident_weight_);
            has_resident_weight_ = false;
        }
    }

private:
    // An fmap slab in L1 and the window of the input it holds (what the chunk's L0A loads need): one slab per
    // image of the tile, image_bytes apart, each the same window of its image.
    struct FmapInL1 {
        AscendC::LocalTensor<int8_t> data;
        schedule::FmapSlab slab;
        uint32_t image_bytes;
    };

    __aicore__ inline FmapInL1 LoadFmapSlab(const schedule::OutputTile& tile, const schedule::KChunk& chunk) {
        FmapInL1 loaded;
        loaded.slab = schedule::GetFmapSlab(*td_, tile, chunk);
        loaded.image_bytes = schedule::FmapSlabBytes(loaded.slab, chunk);
        loaded.data = fmap_l1_.AllocTensor<int8_t>();
        for (uint32_t i = 0; i < tile.images; ++i) {
            const AscendC::LocalTensor<int8_t> dst = loaded.data[i * loaded.image_bytes];
            if (td_->fmap_path == kFmapDirectGemm) {
                CopyXRowsToL1Nd2Nz(dst, fmap_gm_, *td_, tile.batch + i, tile, chunk);
            } else {
                CopyFmapSlabToL1(dst, fmap_gm_, *td_, tile.batch + i, chunk, loaded.slab);
            }
        }
        fmap_l1_.EnQue(loaded.data);
        loaded.data = fmap_l1_.DeQue<int8_t>();
        return loaded;
    }

    // GM -> L1: FRACTAL_Z rows [k_frac_begin, + k_fracs), column fractals of the tile's channels, packed to
    // [k frac][n frac] so LoadData 2D reads each K step as one contiguous run.
    __aicore__ inline AscendC::LocalTensor<int8_t> AcquireWeightSlab(const schedule::OutputTile& tile,
                                                                     const schedule::KChunk& chunk) {
        if (td_->weight_resident != 0) {
            if (has_resident_weight_ && tile.n_tile == resident_n_tile_) {
                return resident_weight_;
            }
            if (has_resident_weight_) {
                weight_l1_.FreeTensor(resident_weight_);
            }
        }
        AscendC::LocalTensor<int8_t> dst;
        uint32_t loaded_rows = 0;
        if (has_first_weight_) {  // PrefetchFirstWeightRows began this slab (the block's first tile and chunk)
            dst = first_weight_;
            loaded_rows = first_weight_rows_;
            has_first_weight_ = false;
        } else {
            dst = weight_l1_.AllocTensor<int8_t>();
        }
        CopyWeightRowsToL1(dst, weight_gm_, *td_, tile, chunk, loaded_rows, chunk.k_fracs);
        weight_l1_.EnQue(dst);
        AscendC::LocalTensor<int8_t> slab = weight_l1_.DeQue<int8_t>();
        if (td_->weight_resident != 0) {
            resident_weight_ = slab;
            resident_n_tile_ = tile.n_tile;
            has_resident_weight_ = true;
        }
        return slab;
    }

    // One K step: L1 -> L0A (img2col) and L1 -> L0B, then Mmad into the tile's accumulator.
    __aicore__ inline void MultiplyStep(AscendC::LocalTensor<int32_t>& acc, const FmapInL1& fmap,
                                        const AscendC::LocalTensor<int8_t>& weight, const schedule::OutputTile& tile,
                                        const schedule::KChunk& chunk, uint32_t k_frac, uint32_t step_fracs,
                                        bool first_step) {
        const uint32_t m = MmadM(tile);
        const uint32_t n_fracs = schedule::CeilDiv(tile.n_len, kN0);

        AscendC::LocalTensor<int8_t> a = a_l0_.AllocTensor<int8_t>();
        // L0A Zz is [m / 16][step_fracs][16][32]: image i of a several-image tile owns the fractal rows from
        // i * ImageRowPitch / 16 on.
        const uint32_t image_rows = tile.images > 1 ? schedule::ImageRowPitch(*td_) : m;
        if (td_->fmap_path != kFmapDirectGemm && k_frac == 0) {
            SetFmatrixForSlab(fmap.slab);  // every image's slab has the same window
        }
        for (uint32_t i = 0; i < tile.images; ++i) {
            const AscendC::LocalTensor<int8_t> a_image = a[i * (image_rows / 16) * step_fracs * kFractalBytes];
            const AscendC::LocalTensor<int8_t> slab_image = fmap.data[i * fmap.image_bytes];
            if (td_->fmap_path == kFmapDirectGemm) {
                LoadNzRowsToL0a(a_image, slab_image, chunk, k_frac, step_fracs, image_rows);
            } else {
                LoadImg2colToL0a(a_image, slab_image, fmap.slab, *td_, chunk, LoadKFracs(chunk), k_frac, step_fracs,
                                 image_rows);
            }
        }
        a_l0_.EnQue(a);

        // L0B Zn for this step: rows [k_frac, k_frac + step_fracs) x all n fractals, contiguous in the slab.
        AscendC::LocalTensor<int8_t> b = b_l0_.AllocTensor<int8_t>();
        LoadWeightStepToL0b(b, weight, k_frac, step_fracs, n_fracs);
        b_l0_.EnQue(b);

        a = a_l0_.DeQue<int8_t>();
        b = b_l0_.DeQue<int8_t>();
        AscendC::MmadParams mmad;
        mmad.m = static_cast<uint16_t>(m);
        mmad.n = static_cast<uint16_t>(n_fracs * kN0);
        mmad.k = static_cast<uint16_t>(step_fracs * kC0);
        mmad.cmatrixInitVal = first_step;
        mmad.cmatrixSource = false;
        AscendC::Mmad(acc, a, b, mmad);
        // Back-to-back Mmads on one small L0C tile need the cube pipe drained in between (Mmad.md).
        const bool drain = (m / 16) * n_fracs < 10;
        if (drain) {
            AscendC::PipeBarrier<PIPE_M>();
        }
        if (td_->offset_x_zero_point != 0) {
            // The 310P legacy semantics: every tap contributes (x - offset_x) * w, i.e. acc - offset_x * sum(w):
            // the same weight step times a constant tile adds -offset_x * sum over this step's K to every row.
            mmad.cmatrixInitVal = false;
            AscendC::LocalTensor<int8_t> constant = zero_point_a_.Get<int8_t>();
            for (uint32_t r = 0; r < ZeroPointRepeats(); ++r) {
                AscendC::Mmad(acc, constant, b, mmad);
                if (drain) {
                    AscendC::PipeBarrier<PIPE_M>();
                }
            }
        }
        a_l0_.FreeTensor(a);
        b_l0_.FreeTensor(b);
    }

    // K fractals of one Load3D (schedule::Load3dKFracs): the chunk, or on 2002 one channel group of it.
    __aicore__ inline uint32_t LoadKFracs(const schedule::KChunk& chunk) const {
        return schedule::Load3dKFracs(td_->npu_arch, chunk.k_fracs, chunk.kh_count * chunk.kw_count);
    }

    // -offset_x fits int8 except for offset_x = -128: then 64 twice.
    __aicore__ inline int32_t ZeroPointValue() const { return td_->offset_x == -128 ? 64 : -td_->offset_x; }
    __aicore__ inline uint32_t ZeroPointRepeats() const { return td_->offset_x == -128 ? 2 : 1; }

    // Fills the constant L0A tile with ZeroPointValue() by an img2col whose every tap lies in the padding
    // (Load3D writes the padding register's value there): a 1 x 1 x 32 source, 255 padding rows on top and
    // 255 columns left and right, a 1 x (k_l0 / 32) filter, so the first 255 * (511 - k_l0/32 + 1) >= m_l0
    // positions read no real element. channelSize 32 and mStartPt 0 are legal on both arches.
    __aicore__ inline void FillZeroPointTile() {
        const uint32_t filter_w = td_->k_l0 / kC0;
        const uint8_t pads[4] = {255, 255, 255, 0};
        AscendC::SetFmatrix(1, 1, pads, AscendC::FmatrixMode::FMATRIX_LEFT);
        AscendC::SetLoadDataPaddingValue<uint8_t>(static_cast<uint8_t>(ZeroPointValue()));
        AscendC::LocalTensor<int8_t> source = fmap_l1_.AllocTensor<int8_t>();
        AscendC::LoadData3DParamsV2<int8_t> fill;
        fill.padList[0] = 255;
        fill.padList[1] = 255;
        fill.padList[2] = 255;
        fill.padList[3] = 0;
        fill.l1H = 1;
        fill.l1W = 1;
        fill.channelSize = kC0;
        fill.kExtension = static_cast<uint16_t>(td_->k_l0);
        fill.mExtension = static_cast<uint16_t>(td_->m_l0);
        fill.kStartPt = 0;
        fill.mStartPt = 0;
        fill.strideW = 1;
        fill.strideH = 1;
        fill.filterW = static_cast<uint8_t>(filter_w);
        fill.filterH = 1;
        fill.dilationFilterW = 1;
        fill.dilationFilterH = 1;
        fill.enTranspose = false;
        fill.enSmallK = false;
        fill.padValue = static_cast<int8_t>(ZeroPointValue());
        AscendC::LoadData<int8_t, kLoad3dUseRegisters>(zero_point_a_.Get<int8_t>(), source, fill);
        fmap_l1_.FreeTensor(source);
        // The tile is written once (MTE1) and read by every later Mmad (M).
        const int32_t mte1_to_m = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::MTE1_M));
        AscendC::SetFlag<AscendC::HardEvent::MTE1_M>(mte1_to_m);
        AscendC::WaitFlag<AscendC::HardEvent::MTE1_M>(mte1_to_m);
    }

    const QuantConv2dTilingData* td_ = nullptr;
    schedule::BlockWork work_;
    AscendC::GlobalTensor<int8_t> fmap_gm_;
    AscendC::GlobalTensor<int8_t> weight_gm_;
    AscendC::TQue<AscendC::TPosition::A1, 1> fmap_l1_;
    AscendC::TQue<AscendC::TPosition::B1, 1> weight_l1_;
    AscendC::TQue<AscendC::TPosition::A2, 1> a_l0_;
    AscendC::TQue<AscendC::TPosition::B2, 1> b_l0_;
    AscendC::TQue<AscendC::TPosition::CO1, 1> c_l0_;
    AscendC::TBuf<AscendC::TPosition::A2> zero_point_a_;  // 310P offset_x != 0: the constant -offset_x tile
    AscendC::LocalTensor<int8_t> resident_weight_;
    bool has_resident_weight_ = false;
    uint32_t resident_n_tile_ = 0;
    AscendC::LocalTensor<int8_t> first_weight_;  // PrefetchFirstWeightRows' slab, completed by the first tile
    uint32_t first_weight_rows_ = 0;
    bool has_first_weight_ = false;
};

#if __CCE_AICORE__ == 220
// Arch 2201, on the AIC of a block: every tile of the block into the ws.acc ring, slot by slot, each Fixpipe
// gated by a credit from both AIVs and announced to them when it has landed. after_layout: phase 1 runs on
// the AIVs; the AIC passes its barrier (SyncAll) here, after the weight rows it may load meanwhile. With K
// slices (schedule::KSlices > 1) every tile has its own slot and no credit: the AIC writes its partials and
// passes a second SyncAll, after which the AIVs add them up.
__aicore__ inline void RunCubeSplit(AscendC::TPipe* pipe, GM_ADDR x, GM_ADDR weight, GM_ADDR workspace,
                                    const QuantConv2dTilingData& td, bool after_layout) {
    const uint32_t block = static_cast<uint32_t>(AscendC::GetBlockIdx());
    const bool k_sliced = schedule::KSlices(td) > 1;
    CubeConv cube;
    cube.Init(pipe, x, weight, workspace, td, block);
    if (after_layout) {
        cube.PrefetchFirstWeightRows();
        AscendC::SyncAll<false>();  // ws.fmap / ws.weight are complete past this point
    }
    for (uint32_t t = 0; t < cube.Tiles(); ++t) {
        const schedule::OutputTile tile = schedule::GetTile(td, cube.Work(), t);
        AscendC::LocalTensor<int32_t> acc = cube.ComputeTile(tile);
        const uint32_t slot = schedule::AccSlot(td, t);
        AscendC::GlobalTensor<int32_t> slot_gm;
        slot_gm.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(workspace + schedule::AccSlotOffset(td, block, t)),
                                schedule::AccSlotSpanBytes(td, block) / sizeof(int32_t));
        AscendC::FixpipeParamsV220 out;
        out.nSize = static_cast<uint16_t>(cube.MmadN(tile));
        // Several images: every row of the tile, the padding rows between images included (the AIVs skip them).
        out.mSize = static_cast<uint16_t>(tile.images > 1 ? cube.MmadM(tile) : tile.m_len);
        out.srcStride = static_cast<uint16_t>(cube.MmadM(tile));       // L0C column-block stride, 16-element units
        out.dstStride = schedule::AccGroupPitchRows(td) * 16 * sizeof(int32_t) / 32;  // ws column-block stride, 32 B units
        out.quantPre = QuantMode_t::NoQuant;
        out.deqScalar = 0;
        out.ndNum = 1;
        out.srcNdStride = 0;
        out.dstNdStride = 0;
        out.reluEn = false;
        out.unitFlag = 0;
        if (!k_sliced) {
            CubeWaitSlotFree(slot);
        }
        AscendC::Fixpipe<int32_t, int32_t, AscendC::CFG_NZ>(slot_gm, acc, out);
        if (!k_sliced) {
            CubeSignalTileReady(slot);
        }
        cube.ReleaseAcc(acc);
    }
    cube.Finish();
    if (k_sliced) {
        AscendC::SyncAll<false>();  // every partial has landed past this point (SyncAll drains the FIX pipe first)
    } else {
        CubeDrainCredits(td.acc_slots);
    }
}
#else
// Arch 2002, on the coupled core: per tile, L0C -> UB (BLOCK_MODE_MATRIX, int32, no conversion) into the NZ
// layout with column-block stride m_l0, then `on_tile(acc_ub, tile)` dequantizes it on this core's vector
// unit. on_tile must be done reading acc_ub when it returns (its own vector work is queued behind it).
template <class OnTile>
__aicore__ inline void RunCubeCoupled(AscendC::TPipe* pipe, GM_ADDR x, GM_ADDR weight, GM_ADDR workspace,
                                      const QuantConv2dTilingData& td, OnTile on_tile) {
    CubeConv cube;
    cube.Init(pipe, x, weight, workspace, td, static_cast<uint32_t>(AscendC::GetBlockIdx()));
    AscendC::TQue<AscendC::TPosition::CO2, 1> acc_ub_queue;
    pipe->InitBuffer(acc_ub_queue, 1, vector_ub::AccTileBytes(td.m_l0, td.n_l0));   // the UB budget's phase 2
    for (uint32_t t = 0; t < cube.Tiles(); ++t) {
        const schedule::OutputTile tile = schedule::GetTile(td, cube.Work(), t);
        AscendC::LocalTensor<int32_t> acc = cube.ComputeTile(tile);
        AscendC::LocalTensor<int32_t> acc_ub = acc_ub_queue.AllocTensor<int32_t>();
        const uint32_t m_fracs = cube.MmadM(tile) / 16;
        AscendC::DataCopyParams copy;
        copy.blockCount = static_cast<uint16_t>(cube.MmadN(tile) / 16);  // one per 16-channel column block
        copy.blockLen = static_cast<uint16_t>(m_fracs);                  // 16x16 int32 fractals
        copy.srcStride = 0;
        copy.dstStride = static_cast<uint16_t>((td.m_l0 / 16 - m_fracs) * 16 * 16 * sizeof(int32_t) / 32);
        AscendC::DataCopyEnhancedParams enhanced;
        enhanced.blockMode = AscendC::BlockMode::BLOCK_MODE_MATRIX;
        AscendC::DataCopy(acc_ub, acc, copy, enhanced);
        acc_ub_queue.EnQue(acc_ub);
        cube.ReleaseAcc(acc);
        acc_ub = acc_ub_queue.DeQue<int32_t>();
        on_tile(acc_ub, tile);
        acc_ub_queue.FreeTensor(acc_ub);
    }
    cube.Finish();
}
#endif

}  // namespace qconv::kernel
