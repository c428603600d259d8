// Phase 1 on every vector core, x and filter -> workspace: the layouts the cube needs, built inside the op so
// they show in its profile.
//   x      NCHW int8            -> ws.fmap   [N][C1][H*W][32] int8       (NC1HWC0, channels >= Cin are 0)
//   weight (Cout, Cin, kh, kw)  -> ws.weight [C1*kh*kw][N1][16][32] int8 (FRACTAL_Z, ci >= Cin or co >= Cout are 0)
// Both are transposes of a channel-major int8 block, done 16 x 16 bytes at a time by TransDataTo5HD's b8 form:
// dst_j[16 * dstHighHalf + i] = src_i[16 * srcHighHalf + j], the other half of dst_j kept (TransDataTo5HD.md;
// the doc gives the b8 lane order as a figure only, so this is the part to confirm first on an NPU).
// Work items (an fmap run of layout_fmap_run <= kFmapRunMax positions, or an 8 KB filter block) are dealt
// round-robin over all vector cores.
// Arch 2002, planes of at most 256 positions whose byte size is not whole blocks (14x14, 7x7): an item is
// read in one DMA and transposed by Gather (GatherFmapItem) instead of one DMA per channel.
// fmap_path kFmapKwPacked (KwPackRowItem) and kFmapSubsampled (SubsampleItem) build the transformed input of
// the conv the cube runs.
#pragma once

#include "int8_fractal.h"
#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"
#include "quant_conv2d_tiling_data.h"
#include "vector_gather.h"
#include "vector_gm_io.h"
#include "vector_ub_budget.h"

namespace qconv::kernel {

// kFmapSubsampled: x's own H, W and strides, the kept grid (hout x wout) and the tiling's item shape.
struct SubsampleGeometry {
    uint32_t hin, win, stride_h, stride_w, hout, wout, rows, groups;
    uint32_t kind;  // QuantConv2dSubsampleKind: rows, whole planes or spans
};

struct LayoutTransformArgs {
    uint32_t batch = 0;
    uint32_t cin = 0;
    uint32_t in_hw = 0;      // H * W of the input
    uint32_t cout = 0;
    uint32_t kernel_hw = 0;  // kh * kw
    bool weight_prepacked = false;  // the filter arrived in FRACTAL_Z: only the fmap is laid out
    bool fmap_in_workspace = true;  // false on the direct GEMM path (the cube reads x itself): only the weight
    // kFmapKwPacked: cin, in_hw (= H * W) and kernel_hw above are the caller's; x' is hin rows of wout columns
    // of [j * cin + ci] (zero past kw * cin), and the filter becomes FRACTAL_Z of (Cout, kw * cin, kh, 1).
    bool kw_pack = false;
    bool weight_fractal_z = false;  // kw_pack: the filter input is FRACTAL_Z ([kh * kw][N1][16][32]), else plain
    uint32_t hin = 0;
    uint32_t kh = 0;
    KwPackRowGeometry row;          // kw_pack: cin, win, wout, kw, stride, pad, dilation (pitch set by Init)
    int32_t offset_x = 0;
    uint32_t fmap_run = 0;          // H*W positions per fmap item (the tiling's layout_fmap_run; 0: kFmapRunMax)
    // kFmapSubsampled: cin, in_hw (= H * W) and kernel_hw (1) above are the caller's; ws.fmap is NC1HWC0 of the
    // kept positions x[:, :, ::stride_h, ::stride_w], hout x wout.
    bool subsample = false;
    SubsampleGeometry sub{};
};

// The layout's view of the tiling data: what phase 1 reads (the caller's x and filter: the kw-packed and
// subsampled paths transform them as given) and what it writes (the conv the cube runs).
__aicore__ inline LayoutTransformArgs LayoutArgsOf(const QuantConv2dTilingData& td) {
    LayoutTransformArgs a;
    a.batch = td.batch;
    a.cin = td.cin;
    a.in_hw = td.hin * td.win;
    a.cout = td.cout;
    a.kernel_hw = td.kh * td.kw;
    a.weight_prepacked = !schedule::CubeWeightInWorkspace(td);
    a.fmap_in_workspace = td.fmap_path != kFmapDirectGemm;
    a.fmap_run = td.layout_fmap_run;
    if (td.fmap_path == kFmapKwPacked) {  // phase 1 reads x and the filter as the caller gave them
        a.kw_pack = true;
        a.weight_fractal_z = td.weight_format != 0;
        a.cin = td.kw_pack_cin;
        a.in_hw = td.hin * td.kw_pack_win;
        a.kernel_hw = td.kh * td.kw_pack_kw;
        a.hin = td.hin;
        a.kh = td.kh;
        a.row = {td.kw_pack_cin, 0, td.kw_pack_win, td.wout, td.kw_pack_kw, td.kw_pack_stride_w, td.kw_pack_pad_w,
                 td.kw_pack_dilation_w};  // pitch: the layout's choice
        a.offset_x = td.offset_x;
    }
    if (td.fmap_path == kFmapSubsampled) {  // phase 1 reads x as the caller gave it; the filter is unchanged
        a.subsample = true;
        a.in_hw = td.subsample_hin * td.subsample_win;
        a.sub = {td.subsample_hin, td.subsample_win, td.subsample_stride_h, td.subsample_stride_w,
                 td.hout,          td.wout,          td.subsample_rows,     td.subsample_groups,
                 td.subsample_kind};
    }
    return a;
}

class LayoutTransform {
public:
    static constexpr uint32_t kC0 = fractal::kK0;    // int8 channels per NC1HWC0 / FRACTAL_Z block
    static constexpr uint32_t kN0 = fractal::kN0;    // output channels per FRACTAL_Z fractal
    static constexpr uint32_t kFractalBytes = kN0 * kC0;
#if __CCE_AICORE__ == 200
    static constexpr bool kCoupled = true;
#else
    static constexpr bool kCoupled = false;
#endif
    static constexpr uint32_t kFmapRunMax = vector_ub::LayoutFmapRun(kCoupled);  // H*W positions per fmap item
    static constexpr uint32_t kQueueBytes = vector_ub::LayoutQueueBytes(kCoupled);
    // GatherFmapItem (2002): a plane group of 32 x this many positions fills the half-widened gather buffers.
    static constexpr uint32_t kGatherPlaneMax = vector_ub::kLayoutGatherHalfBytes / (2 * 32);
    static constexpr uint32_t kKernelRunMax = 32;    // kh*kw positions per weight item (one 32-B UB row)
    static constexpr uint32_t kOutChannelsPerItem = kN0 / 2;  // half a fractal row: 8 co x 32 ci
    static constexpr uint32_t kGroupsPerBlock = 16;  // 1x1 filter items: 16 co x 16 channel groups = 8 KB
    // Items move [32 ch][kFmapRunMax positions] (the fmap) or an 8 KB int8 block ([8 co][32 ci][32 positions]).
    static constexpr uint32_t kBlockBytes8K = vector_ub::kLayoutBlockBytes;
    static_assert(kBlockBytes8K == kOutChannelsPerItem * kC0 * kKernelRunMax, "filter items fill an 8 KB block");
    static_assert(kC0 * kFmapRunMax <= kQueueBytes && kBlockBytes8K <= kQueueBytes, "every item fits the queues");
    // UB (vector_ub_budget.h, phase 1): the in-queue and the out-queue, each of LayoutQueueBytes blocks.

    __aicore__ inline void Init(AscendC::TPipe* pipe, GM_ADDR x, GM_ADDR weight, GM_ADDR ws_fmap, GM_ADDR ws_weight,
                                const LayoutTransformArgs& args) {
        args_ = args;
        c1_ = CeilDiv(args.cin, kC0);
        n1_ = CeilDiv(args.cout, kN0);
        x_size_ = static_cast<uint64_t>(args.batch) * args.cin * args.in_hw;
        weight_size_ = args.weight_fractal_z ? static_cast<uint64_t>(c1_) * args.kernel_hw * n1_ * kFractalBytes
                                             : static_cast<uint64_t>(args.cout) * args.cin * args.kernel_hw;
        x_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(x), x_size_);
        weight_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(weight), weight_size_);
        // ws.fmap and ws.weight: NC1HWC0 and FRACTAL_Z of the conv the cube runs (the packed one on kw_pack).
        const uint64_t fmap_positions = args.kw_pack     ? static_cast<uint64_t>(args.hin) * args.row.wout
                                        : args.subsample ? static_cast<uint64_t>(args.sub.hout) * args.sub.wout
                                                         : args.in_hw;
        fmap_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(ws_fmap),
                                 static_cast<uint64_t>(args.batch) * c1_ * fmap_positions * kC0);
        const uint64_t fractal_rows = args.kw_pack ? args.kh : static_cast<uint64_t>(c1_) * args.kernel_hw;
        fractal_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(ws_weight), fractal_rows * n1_ * kFractalBytes);
        if (args.subsample) {  // phase 1's UB carved for the subsampled items (vector_ub_budget.h)
            pipe->InitBuffer(in_queue_, 1, vector_ub::SubsampleInBytes(kCoupled));
            pipe->InitBuffer(out_queue_, 1, vector_ub::SubsampleOutBytes(kCoupled));
            pipe->InitBuffer(wide_, vector_ub::kSubsampleWideBytes);
            pipe->InitBuffer(gathered_, vector_ub::kSubsampleGatheredBytes);
            pipe->InitBuffer(table_, vector_ub::kSubsampleTableBytes);
        } else {
            pipe->InitBuffer(in_queue_, vector_ub::kLayoutQueueDepth, kQueueBytes);
            pipe->InitBuffer(out_queue_, vector_ub::kLayoutQueueDepth, kQueueBytes);
            pipe->InitBuffer(wide_, vector_ub::kLayoutGatherHalfBytes);
            pipe->InitBuffer(gathered_, vector_ub::kLayoutGatherHalfBytes);
            pipe->InitBuffer(table_, vector_ub::kLayoutGatherTableBytes);
            pipe->InitBuffer(fractal_table_, vector_ub::kLayoutFractalTableBytes);
        }
        if (args.kw_pack) {
            InitKwPack();
            return;
        }
        if (args.subsample) {
            InitSubsample();
        } else {
#if __CCE_AICORE__ == 200
            gather_planes_ = args.in_hw % kC0 != 0 && args.in_hw <= kGatherPlaneMax;
            if (gather_planes_) {
                BuildPlaneTransposeOffsets(table_.Get<int32_t>(), args.in_hw);
            }
#endif
            fmap_run_ = args.fmap_run != 0 && args.fmap_run < kFmapRunMax ? args.fmap_run : kFmapRunMax;
            fmap_items_ = args.fmap_in_workspace ? args.batch * c1_ * CeilDiv(args.in_hw, fmap_run_) : 0;
        }
        // A 1x1 filter of whole channel groups needs no transpose (FRACTAL_Z row c1 is W[co][32 c1, +32) per
        // output channel): blocks of 16 output channels x kGroupsPerBlock groups, two DMAs each. Other filters
        // transpose (ci, kk) per item.
        pointwise_ = args.kernel_hw == 1 && args.cin % kC0 == 0;
        weight_items_ = args.weight_prepacked ? 0
                        : pointwise_ ? n1_ * CeilDiv(c1_, kGroupsPerBlock)
                                     : n1_ * 2 * c1_ * CeilDiv(args.kernel_hw, kKernelRunMax);
    }

    // This vector core's share: items core, core + cores, ...
    __aicore__ inline void Process(uint32_t core, uint32_t cores) {
        for (uint32_t item = core; item < fmap_items_ + weight_items_; item += cores) {
            if (args_.kw_pack) {
                if (item < fmap_items_) {
                    KwPackRowItem(item);
                } else {
                    KwPackFilterItem(item - fmap_items_);
                }
            } else if (item < fmap_items_) {
                if (args_.subsample) {
                    SubsampleItem(item);
                } else {
                    FmapItem(item);
                }
            } else if (pointwise_) {
                PointwiseWeightItem(item - fmap_items_);
            } else {
                WeightItem(item - fmap_items_);
            }
        }
    }

private:
    // Item = (image, c1, run of H*W positions): [32 ch][run] -> [run][32 ch].
    __aicore__ inline void FmapItem(uint32_t item) {
#if __CCE_AICORE__ == 200
        if (gather_planes_ && GatherFmapItem(item)) {
            return;
        }
#endif
        const uint32_t runs_per_plane = CeilDiv(args_.in_hw, fmap_run_);
        const uint32_t plane = item / runs_per_plane;  // image * C1 + c1
        const uint32_t hw0 = (item % runs_per_plane) * fmap_run_;
        const uint32_t image = plane / c1_;
        const uint32_t c1 = plane % c1_;
        const uint32_t len = Min(fmap_run_, args_.in_hw - hw0);
        const uint32_t pitch = RoundUp(len, kC0);  // UB row pitch of the channel-major block
        const uint32_t channels = Min(kC0, args_.cin - c1 * kC0);

        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        const uint64_t src = (static_cast<uint64_t>(image) * args_.cin + c1 * kC0) * args_.in_hw + hw0;
        CopyRunsIn(in, pitch, x_gm_[src], args_.in_hw, channels, len, x_size_ - src);
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        if (channels < kC0) {  // channel tail of the last C1 block
            ZeroBytes(in[channels * pitch], (kC0 - channels) * pitch);
        }
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        // For each 16 x 16 byte block: src_i = channel 16g + i, positions [32r + 16h, +16); dst_j = position
        // 32r + 16h + j, channel half g. Repeat r walks the run 32 positions at a time.
        for (uint32_t h = 0; h < 2; ++h) {
            for (uint32_t g = 0; g < 2; ++g) {
                Transpose8(out[16 * h * kC0], kC0, g, in[16 * g * pitch], pitch, h, pitch / kC0, kC0, 1);
            }
        }
        in_queue_.FreeTensor(in);
        Store(out, fmap_gm_[(static_cast<uint64_t>(plane) * args_.in_hw + hw0) * kC0],
              AscendC::DataCopyParams{1, static_cast<uint16_t>(len * kC0 / kBlockBytes), 0, 0});
    }

#if __CCE_AICORE__ == 200
    // A whole small plane group (runs_per_plane == 1): the channels' runs are one contiguous GM run, read in one
    // DMA; then half <- int8, Gather to [position][32 ch], channels >= Cin zeroed, int8 <- half (exact: the
    // values are int8). False, with nothing issued, when the whole blocks would read past x (a channel tail
    // group at the end of x): the caller takes the per-channel path.
    __aicore__ inline bool GatherFmapItem(uint32_t plane) {
        const uint32_t hw = args_.in_hw;
        const uint32_t image = plane / c1_;
        const uint32_t c1 = plane % c1_;
        const uint32_t channels = Min(kC0, args_.cin - c1 * kC0);
        const uint64_t src = (static_cast<uint64_t>(image) * args_.cin + c1 * kC0) * hw;
        const uint32_t bytes = RoundUp(channels * hw, kBlockBytes);
        if (src + bytes > x_size_) {
            return false;
        }
        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        AscendC::DataCopy(in, x_gm_[src], AscendC::DataCopyParams{1, static_cast<uint16_t>(bytes / kBlockBytes), 0, 0});
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        AscendC::LocalTensor<half> wide = wide_.Get<half>();
        AscendC::LocalTensor<half> gathered = gathered_.Get<half>();
        AscendC::Cast(wide, in, AscendC::RoundMode::CAST_NONE, bytes);  // Cast.md: s8 -> f16 takes CAST_NONE
        AscendC::PipeBarrier<PIPE_V>();
        in_queue_.FreeTensor(in);
        AscendC::Gather(gathered, wide, table_.Get<uint32_t>(), 0, kC0 * hw);
        AscendC::PipeBarrier<PIPE_V>();
        ZeroLanesFrom(gathered, channels, hw);  // channels >= Cin
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        AscendC::Cast(out, gathered, AscendC::RoundMode::CAST_NONE, kC0 * hw);  // exact integers
        Store(out, fmap_gm_[static_cast<uint64_t>(plane) * hw * kC0],
              AscendC::DataCopyParams{1, static_cast<uint16_t>(hw * kC0 / kBlockBytes), 0, 0});
        return true;
    }
#endif

    // kFmapKwPacked: items are the image rows (batch * hin), then the filter's column fractals (n1, times kh for a
    // FRACTAL_Z input). The offset tables are built once per launch.
    __aicore__ inline void InitKwPack() {
        // As many input rows per item as the buffers hold (one DMA brings them all): the in-queue holds
        // cin * pitch int8, the widened copy that plus the padding band.
        KwPackRowGeometry& g = args_.row;
        rows_per_item_ = 1;
        while (rows_per_item_ < args_.hin && vector_ub::KwPackRowsFit(g.cin, g.win, rows_per_item_ + 1)) {
            ++rows_per_item_;
        }
        g.pitch = vector_ub::KwPackPitch(rows_per_item_, g.win);
        fmap_items_ = args_.batch * CeilDiv(args_.hin, rows_per_item_);
        weight_items_ = args_.weight_fractal_z ? n1_ * args_.kh : n1_;
        BuildKwPackRowOffsets(table_.Get<int32_t>(), g);
        const uint32_t cin = args_.row.cin;
        const uint32_t kw = args_.row.kw;
        if (args_.weight_fractal_z) {  // kw fractal rows [j][16 co][32 ci]
            BuildKwPackFilterOffsets(fractal_table_.Get<int32_t>(), cin, kw, kC0, 1, kFractalBytes);
        } else {  // 16 rows of [ci][kh][kw]
            BuildKwPackFilterOffsets(fractal_table_.Get<int32_t>(), cin, kw, cin * args_.kernel_hw, args_.kernel_hw, 1);
        }
    }

    // Item = (image, rows_per_item_ input rows from h0): the rows of the cin channels (one DMA: each channel's
    // rows are contiguous), widened to half with the padding band (offset_x) after them; per row, a gather of
    // wout x 32 taps (j * cin + ci; the table's row 0 geometry moved down by the gather's base), lanes >= kw * cin
    // zeroed, narrowed, out to ws.fmap.
    __aicore__ inline void KwPackRowItem(uint32_t item) {
        const KwPackRowGeometry& g = args_.row;
        const uint32_t per_image = CeilDiv(args_.hin, rows_per_item_);
        const uint32_t image = item / per_image;
        const uint32_t h0 = (item % per_image) * rows_per_item_;
        const uint32_t rows = Min(rows_per_item_, args_.hin - h0);
        const uint64_t src = (static_cast<uint64_t>(image) * g.cin * args_.hin + h0) * g.win;
        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        CopyRunsIn(in, g.pitch, x_gm_[src], static_cast<uint64_t>(args_.hin) * g.win, g.cin, rows * g.win,
                   x_size_ - src);
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        AscendC::LocalTensor<half> wide = wide_.Get<half>();
        AscendC::Cast(wide, in, AscendC::RoundMode::CAST_NONE, g.cin * g.pitch);  // Cast.md: s8 -> f16, exact
        AscendC::Duplicate(wide[g.cin * g.pitch], static_cast<half>(args_.offset_x),
                           vector_ub::KwPackPadBandHalves(rows_per_item_, g.win));
        AscendC::PipeBarrier<PIPE_V>();
        in_queue_.FreeTensor(in);
        // Output rows of one item are consecutive in ws.fmap: as many go out per DMA as the out-queue block holds.
        const uint32_t row_elems = g.wout * kC0;
        const uint32_t per_store = row_elems >= kBlockBytes8K ? 1 : kBlockBytes8K / row_elems;
        AscendC::LocalTensor<half> gathered = gathered_.Get<half>();
        for (uint32_t r0 = 0; r0 < rows; r0 += per_store) {
            const uint32_t n = Min(per_store, rows - r0);
            for (uint32_t r = 0; r < n; ++r) {
                AscendC::Gather(gathered[r * row_elems], wide, table_.Get<uint32_t>(), 2 * (r0 + r) * g.win, row_elems);
            }
            AscendC::PipeBarrier<PIPE_V>();
            ZeroLanesFrom(gathered, g.kw * g.cin, n * g.wout);
            AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
            AscendC::Cast(out, gathered, AscendC::RoundMode::CAST_NONE, n * row_elems);  // exact integers
            AscendC::PipeBarrier<PIPE_V>();  // the next rows' Gathers overwrite what this Cast reads
            Store(out, fmap_gm_[(static_cast<uint64_t>(image) * args_.hin + h0 + r0) * row_elems],
                  AscendC::DataCopyParams{1, static_cast<uint16_t>(n * g.wout), 0, 0});
        }
    }

    // kFmapSubsampled: items are (image, group block, row block) of `groups` channel groups x `rows` output rows
    // (whole planes: rows == hout); one offset table serves every row (every plane) of every item.
    __aicore__ inline void InitSubsample() {
        const SubsampleGeometry& g = args_.sub;
        fmap_items_ = args_.batch * CeilDiv(c1_, g.groups) * CeilDiv(g.hout, g.rows);
        if (g.kind == kSubsamplePlanes) {
            subsample_pitch_ = args_.in_hw;
            BuildSubsamplePlaneOffsets(table_.Get<int32_t>(), args_.in_hw, g.stride_h * g.win, g.stride_w, g.hout, g.wout);
        } else if (g.kind == kSubsampleSpans) {
            subsample_pitch_ = vector_ub::SubsampleSpanPitch(g.rows, g.stride_h * g.win, g.wout, g.stride_w);
            BuildSubsampleRowOffsets(table_.Get<int32_t>(), subsample_pitch_, g.stride_w, g.wout, Min(kC0, args_.cin));
        } else {
            subsample_pitch_ = vector_ub::SubsamplePitch(g.wout, g.stride_w);
            BuildSubsampleRowOffsets(table_.Get<int32_t>(), subsample_pitch_, g.stride_w, g.wout);
        }
    }

    // `len` int8 of one group (channel c at c * subsample_pitch_) widened to half: the gathers' source.
    __aicore__ inline void SubsampleWiden(const AscendC::LocalTensor<int8_t>& src, uint32_t len) {
        AscendC::Cast(wide_.Get<half>(), src, AscendC::RoundMode::CAST_NONE, len);  // Cast.md: s8 -> f16, exact
        AscendC::PipeBarrier<PIPE_V>();
    }

    // `positions` x 32 lanes gathered from the widened group by the launch's table moved by `base` bytes, lanes >=
    // channels zeroed, narrowed into dst (exact integers).
    __aicore__ inline void SubsampleGatherOut(const AscendC::LocalTensor<int8_t>& dst, uint32_t base, uint32_t channels,
                                              uint32_t positions) {
        AscendC::LocalTensor<half> gathered = gathered_.Get<half>();
        AscendC::Gather(gathered, wide_.Get<half>(), table_.Get<uint32_t>(), base, positions * kC0);
        AscendC::PipeBarrier<PIPE_V>();
        ZeroLanesFrom(gathered, channels, positions);  // channels >= Cin
        AscendC::Cast(dst, gathered, AscendC::RoundMode::CAST_NONE, positions * kC0);
        AscendC::PipeBarrier<PIPE_V>();  // the next Cast and Gather overwrite what this one read
    }

    // The item's [group][rows * wout][32] out to ws.fmap [image][c1][hout * wout][32]: one run per group, hout * wout
    // positions apart, in one DMA (one per group when that gap exceeds DataCopyParams' 16 bits).
    __aicore__ inline void StoreSubsampleItem(AscendC::LocalTensor<int8_t>& out, uint32_t image, uint32_t g0, uint32_t ho0,
                                              uint32_t rows, uint32_t groups) {
        const SubsampleGeometry& g = args_.sub;
        const uint32_t out_row = g.wout * kC0;
        const uint64_t dst = ((static_cast<uint64_t>(image) * c1_ + g0) * g.hout + ho0) * out_row;
        const uint32_t dst_gap = (g.hout - rows) * g.wout;  // in 32-B blocks (one position)
        const uint32_t src_gap = (g.rows - rows) * g.wout;
        if (groups == 1 || dst_gap <= 65535) {
            Store(out, fmap_gm_[dst],
                  AscendC::DataCopyParams{static_cast<uint16_t>(groups), static_cast<uint16_t>(rows * g.wout),
                                          static_cast<uint16_t>(groups == 1 ? 0 : src_gap),
                                          static_cast<uint16_t>(groups == 1 ? 0 : dst_gap)});
            return;
        }
        out_queue_.EnQue(out);
        out = out_queue_.DeQue<int8_t>();
        for (uint32_t gi = 0; gi < groups; ++gi) {
            AscendC::DataCopy(fmap_gm_[dst + static_cast<uint64_t>(gi) * g.hout * out_row], out[gi * g.rows * out_row],
                              AscendC::DataCopyParams{1, static_cast<uint16_t>(rows * g.wout), 0, 0});
        }
        out_queue_.FreeTensor(out);
    }

    // Whole-plane item = (image, `groups` channel groups from g0): their planes are one run of x, read in one DMA;
    // per group one gather of every kept position; the groups' planes are one run of ws.fmap too.
    __aicore__ inline void SubsamplePlanesItem(uint32_t item) {
        const SubsampleGeometry& g = args_.sub;
        const uint32_t group_blocks = CeilDiv(c1_, g.groups);
        const uint32_t image = item / group_blocks;
        const uint32_t g0 = (item % group_blocks) * g.groups;
        const uint32_t groups = Min(g.groups, c1_ - g0);
        const uint32_t channels = Min(groups * kC0, args_.cin - g0 * kC0);
        const uint32_t positions = g.hout * g.wout;
        const uint32_t bytes = channels * args_.in_hw;
        const uint64_t src = (static_cast<uint64_t>(image) * args_.cin + g0 * kC0) * args_.in_hw;
        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        CopyRunsIn(in, RoundUp(bytes, kC0), x_gm_[src], bytes, 1, bytes, x_size_ - src);
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        for (uint32_t gi = 0; gi < groups; ++gi) {
            const uint32_t group_channels = Min(kC0, channels - gi * kC0);
            SubsampleWiden(in[gi * kC0 * args_.in_hw], group_channels * args_.in_hw);
            SubsampleGatherOut(out[gi * positions * kC0], 0, group_channels, positions);
        }
        in_queue_.FreeTensor(in);
        Store(out, fmap_gm_[(static_cast<uint64_t>(image) * c1_ + g0) * positions * kC0],
              AscendC::DataCopyParams{1, static_cast<uint16_t>(groups * positions), 0, 0});
    }

    // Row item = (image, `groups` channel groups from g0, `rows` output rows from ho0). Per kept input row
    // h = ho * stride_h one DMA brings the span of every channel of the item ([row][channel][pitch], the full item's
    // spacing, so the tails keep it); per (group, row) a gather picks every stride_w-th column into [wout][32 ch],
    // [group][rows * wout][32] in all; one DMA writes the groups' runs of ws.fmap. A span item reads each
    // channel's rows ho0 * stride_h .. in one DMA instead ([channel][pitch]) and gathers its rows by moving the
    // table down stride_h input rows per output row.
    __aicore__ inline void SubsampleItem(uint32_t item) {
        const SubsampleGeometry& g = args_.sub;
        if (g.kind == kSubsamplePlanes) {
            SubsamplePlanesItem(item);
            return;
        }
        const uint32_t row_blocks = CeilDiv(g.hout, g.rows);
        const uint32_t group_blocks = CeilDiv(c1_, g.groups);
        const uint32_t image = item / (row_blocks * group_blocks);
        const uint32_t g0 = (item / row_blocks % group_blocks) * g.groups;
        const uint32_t ho0 = (item % row_blocks) * g.rows;
        const uint32_t rows = Min(g.rows, g.hout - ho0);
        const uint32_t groups = Min(g.groups, c1_ - g0);
        const uint32_t channels = Min(groups * kC0, args_.cin - g0 * kC0);
        const uint32_t pitch = subsample_pitch_;
        const uint32_t span = (g.wout - 1) * g.stride_w + 1;
        const uint32_t row_bytes = g.groups * kC0 * pitch;
        const uint32_t out_row = g.wout * kC0;  // one output row of one group, int8
        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        if (g.kind == kSubsampleSpans) {
            // One DMA: each channel's run from kept row ho0 * stride_h to the last kept row's span, [channel][pitch].
            const uint32_t row_step = g.stride_h * g.win;
            const uint64_t src = (static_cast<uint64_t>(image) * args_.cin + g0 * kC0) * args_.in_hw +
                                 static_cast<uint64_t>(ho0) * row_step;
            CopyRunsIn(in, pitch, x_gm_[src], args_.in_hw, channels, (rows - 1) * row_step + span, x_size_ - src);
            in_queue_.EnQue(in);
            in = in_queue_.DeQue<int8_t>();
            AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
            for (uint32_t gi = 0; gi < groups; ++gi) {
                const uint32_t group_channels = Min(kC0, channels - gi * kC0);
                SubsampleWiden(in[gi * kC0 * pitch], group_channels * pitch);
                for (uint32_t r = 0; r < rows; ++r) {  // the table's row 0 moved down r kept rows
                    SubsampleGatherOut(out[(gi * g.rows + r) * out_row], 2 * r * row_step, group_channels, g.wout);
                }
            }
            in_queue_.FreeTensor(in);
            StoreSubsampleItem(out, image, g0, ho0, rows, groups);
            return;
        }
        for (uint32_t r = 0; r < rows; ++r) {
            const uint64_t src = (static_cast<uint64_t>(image) * args_.cin + g0 * kC0) * args_.in_hw +
                                 static_cast<uint64_t>(ho0 + r) * g.stride_h * g.win;
            CopyRunsIn(in[r * row_bytes], pitch, x_gm_[src], args_.in_hw, channels, span, x_size_ - src);
        }
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        for (uint32_t gi = 0; gi < groups; ++gi) {
            const uint32_t group_channels = Min(kC0, channels - gi * kC0);
            for (uint32_t r = 0; r < rows; ++r) {
                SubsampleWiden(in[r * row_bytes + gi * kC0 * pitch], group_channels * pitch);
                SubsampleGatherOut(out[(gi * g.rows + r) * out_row], 0, group_channels, g.wout);
            }
        }
        in_queue_.FreeTensor(in);
        StoreSubsampleItem(out, image, g0, ho0, rows, groups);
    }

    // Item = a column fractal of 16 output channels (n1, and kernel row i for a FRACTAL_Z input): FRACTAL_Z row i
    // of the packed filter, [16 co][j * cin + ci], out to ws.weight row i, fractal n1.
    __aicore__ inline void KwPackFilterItem(uint32_t item) {
        const uint32_t cin = args_.row.cin;
        const uint32_t kw = args_.row.kw;
        const uint32_t n1 = args_.weight_fractal_z ? item / args_.kh : item;
        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        uint32_t loaded = 0;  // int8 elements in `in`, whole blocks
        uint32_t valid_rows = kN0;
        if (args_.weight_fractal_z) {
            const uint32_t i = item % args_.kh;
            const uint64_t src = (static_cast<uint64_t>(i) * kw * n1_ + n1) * kFractalBytes;
            constexpr uint16_t kFractalBlocks = kFractalBytes / kBlockBytes;
            AscendC::DataCopy(in, weight_gm_[src],
                              AscendC::DataCopyParams{static_cast<uint16_t>(kw), kFractalBlocks,
                                                      static_cast<uint16_t>((n1_ - 1) * kFractalBlocks), 0});
            loaded = kw * kFractalBytes;
        } else {
            const uint32_t row = cin * args_.kernel_hw;  // one output channel's filter
            valid_rows = Min(kN0, args_.cout - n1 * kN0);
            const uint64_t src = static_cast<uint64_t>(n1) * kN0 * row;
            CopyRunsIn(in, RoundUp(valid_rows * row, kC0), weight_gm_[src], valid_rows * row, 1, valid_rows * row,
                       weight_size_ - src);
            loaded = RoundUp(valid_rows * row, kC0);
        }
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        AscendC::LocalTensor<half> wide = wide_.Get<half>();
        AscendC::Cast(wide, in, AscendC::RoundMode::CAST_NONE, loaded);
        AscendC::PipeBarrier<PIPE_V>();
        in_queue_.FreeTensor(in);
        const uint32_t rows = args_.weight_fractal_z ? 1 : args_.kh;  // kernel rows this item writes
        for (uint32_t r = 0; r < rows; ++r) {
            const uint32_t i = args_.weight_fractal_z ? item % args_.kh : r;
            AscendC::LocalTensor<half> gathered = gathered_.Get<half>();
            // A plain filter's kernel row i starts i * kw elements into each output channel's row.
            AscendC::Gather(gathered, wide, fractal_table_.Get<uint32_t>(), args_.weight_fractal_z ? 0 : 2 * r * kw,
                            kFractalBytes);
            AscendC::PipeBarrier<PIPE_V>();
            ZeroLanesFrom(gathered, kw * cin, kN0);
            if (valid_rows < kN0) {  // output channels past Cout (a FRACTAL_Z input has them zero already)
                AscendC::Duplicate(gathered[valid_rows * kC0], static_cast<half>(0), (kN0 - valid_rows) * kC0);
                AscendC::PipeBarrier<PIPE_V>();
            }
            AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
            AscendC::Cast(out, gathered, AscendC::RoundMode::CAST_NONE, kFractalBytes);
            AscendC::PipeBarrier<PIPE_V>();  // the next row's Gather overwrites what this Cast reads
            Store(out, fractal_gm_[(static_cast<uint64_t>(i) * n1_ + n1) * kFractalBytes],
                  AscendC::DataCopyParams{1, static_cast<uint16_t>(kFractalBytes / kBlockBytes), 0, 0});
        }
    }

    // Item = (n1, half of its 16 output channels, c1, run of kh*kw positions):
    // [8 co][32 ci][run] -> [run][8 co][32 ci], half of each FRACTAL_Z row's fractal n1.
    __aicore__ inline void WeightItem(uint32_t item) {
        constexpr uint32_t kRowsPerItem = kOutChannelsPerItem * kC0;  // (co, ci) rows
        const uint32_t runs_per_block = CeilDiv(args_.kernel_hw, kKernelRunMax);
        const uint32_t block = item / runs_per_block;  // (n1 * 2 + co_half) * C1 + c1
        const uint32_t kk0 = (item % runs_per_block) * kKernelRunMax;
        const uint32_t co_half = (block / c1_) % 2;
        const uint32_t n1 = block / c1_ / 2;
        const uint32_t c1 = block % c1_;
        const uint32_t len = Min(kKernelRunMax, args_.kernel_hw - kk0);
        const uint32_t co_base = n1 * kN0 + co_half * kOutChannelsPerItem;
        const uint32_t out_channels = co_base >= args_.cout ? 0 : Min(kOutChannelsPerItem, args_.cout - co_base);
        const uint32_t in_channels = Min(kC0, args_.cin - c1 * kC0);

        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        for (uint32_t co = 0; co < out_channels; ++co) {
            const uint64_t src = (static_cast<uint64_t>(co_base + co) * args_.cin + c1 * kC0) * args_.kernel_hw + kk0;
            CopyRunsIn(in[co * kC0 * kKernelRunMax], kKernelRunMax, weight_gm_[src], args_.kernel_hw, in_channels, len,
                       weight_size_ - src);
        }
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        if (in_channels < kC0) {
            for (uint32_t co = 0; co < out_channels; ++co) {
                ZeroBytes(in[(co * kC0 + in_channels) * kKernelRunMax], (kC0 - in_channels) * kKernelRunMax);
            }
        }
        if (out_channels < kOutChannelsPerItem) {
            ZeroBytes(in[out_channels * kC0 * kKernelRunMax], (kOutChannelsPerItem - out_channels) * kC0 * kKernelRunMax);
        }
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        // For each 16 x 16 byte block: src_i = (co, ci) row 16R + i, kernel positions [16h, +16); dst_j = kernel
        // position 16h + j, columns [16R, +16) = half (R % 2) of block R / 2. Repeat r walks R = 2r + q.
        for (uint32_t h = 0; h * 16 < len; ++h) {
            for (uint32_t q = 0; q < 2; ++q) {
                Transpose8(out[16 * h * kRowsPerItem], kRowsPerItem, q, in[16 * q * kKernelRunMax], kKernelRunMax, h,
                           kRowsPerItem / 32, 1, 2 * 16 * kKernelRunMax / kBlockBytes);
            }
        }
        in_queue_.FreeTensor(in);
        // FRACTAL_Z row r = c1*kh*kw + kk holds N1 fractals of 16 x 32; this item fills half of fractal n1 in
        // `len` consecutive rows.
        const uint64_t dst = ((static_cast<uint64_t>(c1) * args_.kernel_hw + kk0) * n1_ + n1) * kFractalBytes +
                             co_half * kRowsPerItem;
        constexpr uint16_t kRowBlocks = kRowsPerItem / kBlockBytes;
        Store(out, fractal_gm_[dst],
              AscendC::DataCopyParams{static_cast<uint16_t>(len), kRowBlocks, 0,
                                      static_cast<uint16_t>(n1_ * kFractalBytes / kBlockBytes - kRowBlocks)});
    }

    // Item = (n1, run of kGroupsPerBlock channel groups) of a 1x1 filter: [16 co][groups x 32 ci] in one DMA,
    // 32-byte blocks regrouped to [group][16 co][32 ci] by UB copies, out in one DMA to FRACTAL_Z rows
    // c1 = first.., fractal n1 (row stride N1 fractals).
    __aicore__ inline void PointwiseWeightItem(uint32_t item) {
        const uint32_t runs = CeilDiv(c1_, kGroupsPerBlock);
        const uint32_t n1 = item / runs;
        const uint32_t first = (item % runs) * kGroupsPerBlock;
        const uint32_t groups = Min(kGroupsPerBlock, c1_ - first);
        const uint32_t co_base = n1 * kN0;
        const uint32_t out_channels = Min(kN0, args_.cout - co_base);
        const uint32_t ci_first = first * kC0;
        const uint32_t pitch = groups * kC0;  // UB row pitch of one output channel: whole groups (Cin % 32 == 0)

        AscendC::LocalTensor<int8_t> in = in_queue_.AllocTensor<int8_t>();
        const uint64_t src = static_cast<uint64_t>(co_base) * args_.cin + ci_first;
        CopyRunsIn(in, pitch, weight_gm_[src], args_.cin, out_channels, pitch, weight_size_ - src);
        in_queue_.EnQue(in);
        in = in_queue_.DeQue<int8_t>();
        if (out_channels < kN0) {  // output channels past Cout
            ZeroBytes(in[out_channels * pitch], (kN0 - out_channels) * pitch);
        }
        AscendC::LocalTensor<int8_t> out = out_queue_.AllocTensor<int8_t>();
        for (uint32_t g = 0; g < groups; ++g) {  // block g of each channel row -> fractal g, row co
            AscendC::DataCopy(out[g * kFractalBytes], in[g * kC0],
                              AscendC::DataCopyParams{static_cast<uint16_t>(kN0), 1,
                                                      static_cast<uint16_t>(groups - 1), 0});
        }
        in_queue_.FreeTensor(in);
        Store(out, fractal_gm_[(static_cast<uint64_t>(first) * n1_ + n1) * kFractalBytes],
              AscendC::DataCopyParams{static_cast<uint16_t>(groups), static_cast<uint16_t>(kFractalBytes / kBlockBytes),
                                      0, static_cast<uint16_t>((n1_ - 1) * kFractalBytes / kBlockBytes)});
    }

    // `bytes` (a multiple of 2) zero bytes through the int16 view: Duplicate has no 8-bit form.
    __aicore__ inline void ZeroBytes(const AscendC::LocalTensor<int8_t>& dst, uint32_t bytes) {
        AscendC::Duplicate(dst.ReinterpretCast<int16_t>(), static_cast<int16_t>(0), static_cast<int32_t>(bytes / 2));
        AscendC::PipeBarrier<PIPE_V>();
    }

    // `repeats` b8 16 x 16 transposes: src_i = 32-B block at src + i * src_pitch, bytes of half src_half;
    // dst_j = 32-B block at dst + j * dst_pitch, written into half dst_half. Per repeat the lists advance by
    // dst_rep / src_rep blocks.
    __aicore__ inline void Transpose8(const AscendC::LocalTensor<int8_t>& dst, uint32_t dst_pitch, uint32_t dst_half,
                                      const AscendC::LocalTensor<int8_t>& src, uint32_t src_pitch, uint32_t src_half,
                                      uint32_t repeats, uint16_t dst_rep, uint16_t src_rep) {
        AscendC::LocalTensor<int8_t> dst_list[16];
        AscendC::LocalTensor<int8_t> src_list[16];
        for (uint32_t i = 0; i < 16; ++i) {
            dst_list[i] = dst[i * dst_pitch];
            src_list[i] = src[i * src_pitch];
        }
        // With a single repeat the hardware still applies the strides once, so they must be 0 (TransDataTo5HD.md).
        const bool single = repeats == 1;
        const AscendC::TransDataTo5HDParams params(dst_half != 0, src_half != 0, static_cast<uint8_t>(repeats),
                                                   single ? 0 : dst_rep, single ? 0 : src_rep);
        AscendC::TransDataTo5HD<int8_t>(dst_list, src_list, params);
    }

    // EnQue/DeQue the transposed block and copy it to GM with `params`.
    __aicore__ inline void Store(AscendC::LocalTensor<int8_t>& out, const AscendC::GlobalTensor<int8_t>& dst,
                                 const AscendC::DataCopyParams& params) {
        out_queue_.EnQue(out);
        out = out_queue_.DeQue<int8_t>();
        AscendC::DataCopy(dst, out, params);
        out_queue_.FreeTensor(out);
    }

    LayoutTransformArgs args_;
    uint32_t c1_ = 0;
    uint32_t n1_ = 0;
    uint64_t x_size_ = 0;
    uint64_t weight_size_ = 0;
    uint32_t fmap_items_ = 0;
    bool pointwise_ = false;
    uint32_t weight_items_ = 0;
    AscendC::GlobalTensor<int8_t> x_gm_;
    AscendC::GlobalTensor<int8_t> weight_gm_;
    AscendC::GlobalTensor<int8_t> fmap_gm_;
    AscendC::GlobalTensor<int8_t> fractal_gm_;
    AscendC::TQue<AscendC::TPosition::VECIN, 1> in_queue_;
    AscendC::TQue<AscendC::TPosition::VECOUT, 1> out_queue_;
    uint32_t rows_per_item_ = 1;  // kw_pack: input rows per fmap item
    uint32_t fmap_run_ = kFmapRunMax;  // H*W positions per fmap item
    uint32_t subsample_pitch_ = 0;  // subsample: UB pitch of one channel's kept row
    bool gather_planes_ = false;  // 2002 small planes (GatherFmapItem)
    AscendC::TBuf<AscendC::TPosition::VECCALC> wide_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> gathered_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> table_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> fractal_table_;
};

}  // namespace qconv::kernel
