// UB of the vector side: the one statement of what each vector stage allocates from its TPipe. The stages take
// their InitBuffer lengths from here and op_host's tiling engine its UB budget (op_host/tiling/ub_tiling.h),
// so the kernel and the tiling cannot disagree; tests/vector_ub_budget_twin_test.cpp checks the twin's UB
// allocation, stage by stage and for the whole kernel, against these numbers. Plain integer arithmetic, no
// Ascend C types: compiles with CANN's compiler, with g++ against the twin and on the host
// ("op_kernel/vector_ub_budget.h").
//
// The kernel Resets its TPipe between the phases (quant_conv2d_custom.cpp), so UB holds one phase at a time:
//   phase 1  layout transform: 2 x 8 KB in-queue + 2 x 8 KB out-queue                            = 32 KB
//            the gather path (vector_gather.h: 2002 small planes, kw-packed fmap and filter): a half copy
//            of the item and the gathered half block (16 KB each), its offset table (32 KB) and the
//            filter fractal's offsets (2 KB)                                                    = 66 KB
//            the subsampled path carves the same total its own way (SubsampleInBytes ...)
//            2002 also: the soft SyncAll scratch, 32 B per core of the launch
//   phase 2  dequant epilogue, passes of `rows` rows x `groups` channel groups of 16:
//              (2201 only) buffers x groups x rows x 16 int32 acc in-queue + rows x 16 half narrowed group
//              + buffers x groups x rows x 16 half out-queue + scale rows and bias rows (64 x 4 B per 16 channels
//              of n_l0). A pass is one acc DMA in and one y DMA out, so its groups are as many as fit.
//            2002 also: the m_l0 x n_l0 int32 tile from L0C (the cube hand-off, one buffer) and the offset table
//            of the channel-group pack (rows x 16 uint32, vector_gather.h)
// Every buffer is rounded up to 32 B, as InitBuffer places them.
#pragma once

#include <stdint.h>

#include "int8_fractal.h"

#ifndef __aicore__
#define __aicore__
#endif

namespace qconv {
namespace vector_ub {

constexpr uint32_t kUbAlign = 32;

__aicore__ inline constexpr uint32_t Align(uint32_t bytes) { return (bytes + kUbAlign - 1) / kUbAlign * kUbAlign; }
__aicore__ inline constexpr uint32_t Max(uint32_t a, uint32_t b) { return a > b ? a : b; }

// ---- phase 1: layout transform (layout_x_and_filter_to_workspace.h) ----
constexpr uint32_t kLayoutBlockBytes = 8192;  // a filter or gather item: an 8 KB int8 block
constexpr uint32_t kLayoutQueueDepth = 2;     // buffers of the in-queue and of the out-queue
static_assert(kLayoutBlockBytes % kUbAlign == 0, "layout blocks need no rounding");
// The gather path (vector_gather.h; 2002 small planes, and the kw-packed fmap and filter on both arches): an
// 8 KB int8 item widened to half, the gathered half block, one uint32 offset per gathered element, and the
// filter repack's offsets (one 16 x 32 fractal).
constexpr uint32_t kLayoutGatherHalfBytes = 2 * kLayoutBlockBytes;
constexpr uint32_t kLayoutGatherTableBytes = 4 * kLayoutBlockBytes;
constexpr uint32_t kLayoutFractalTableBytes = 16 * 32 * 4;
// An fmap item of the NC1HWC0 layout is [32 ch][run of H*W positions], at most 512 on 2201 and 1024 on 2002
// (whose UB is larger): each item is a GM read and a write DMA whose fixed costs long runs amortise; on 2201 the
// tiling picks a shorter run when that spreads the items more evenly (layout_fmap_run).
__aicore__ inline constexpr uint32_t LayoutFmapRun(bool coupled) { return coupled ? 1024 : 512; }
__aicore__ inline constexpr uint32_t LayoutQueueBytes(bool coupled) { return Max(kLayoutBlockBytes, 32 * LayoutFmapRun(coupled)); }
__aicore__ inline constexpr uint32_t LayoutTransformBytes(bool coupled) {
    return 2 * kLayoutQueueDepth * LayoutQueueBytes(coupled) + 2 * kLayoutGatherHalfBytes + kLayoutGatherTableBytes +
           kLayoutFractalTableBytes;
}

// The kw-packed layout (tiling fmap_path kFmapKwPacked). A row item holds `rows` input rows of `cin` channels:
// int8 in the in-queue, channel runs of rows * win rounded to 32; widened to half with a padding band after
// them that the gather's row base (up to (rows - 1) * win) keeps its padding entries inside.
__aicore__ inline constexpr uint32_t KwPackPitch(uint32_t rows, uint32_t win) { return (rows * win + 31) / 32 * 32; }
__aicore__ inline constexpr uint32_t KwPackPadBandHalves(uint32_t rows, uint32_t win) {
    return ((rows - 1) * win + 1 + 15) / 16 * 16;
}
__aicore__ inline constexpr bool KwPackRowsFit(uint32_t cin, uint32_t win, uint32_t rows) {
    return static_cast<uint64_t>(cin) * KwPackPitch(rows, win) <= kLayoutBlockBytes &&
           (static_cast<uint64_t>(cin) * KwPackPitch(rows, win) + KwPackPadBandHalves(rows, win)) * 2 <=
               kLayoutGatherHalfBytes;
}
// Whether the layout fits at all: one input row per item, a gathered output row (wout x 32 halves and offsets),
// and one filter fractal column of 16 output channels (plain: 16 x cin x kh x kw bytes; FRACTAL_Z: kw rows of 512 B).
__aicore__ inline constexpr bool KwPackFits(uint32_t cin, uint32_t win, uint32_t wout, uint32_t kh, uint32_t kw) {
    return KwPackRowsFit(cin, win, 1) && static_cast<uint64_t>(wout) * 32 * 2 <= kLayoutGatherHalfBytes &&
           static_cast<uint64_t>(wout) * 32 * 4 <= kLayoutGatherTableBytes &&
           16ull * cin * kh * kw <= kLayoutBlockBytes && static_cast<uint64_t>(kw) * 512 <= kLayoutBlockBytes;
}

// The subsampled layout (tiling fmap_path kFmapSubsampled) carves the same phase-1 total its own way, so the
// phase's budget above holds on every path. An item is `rows` output rows x `groups` 32-channel groups of one image:
//   in        the item's kept input rows, [row][groups * 32 ch][pitch] int8 (pitch: the row's span, whole blocks)
//   out       the item's ws.fmap part, [group][rows * wout][32] int8 (also the filter items' 8 KB out-block)
//   wide      one row of one group widened to half, [32][pitch]
//   gathered  one output row of one group, [wout][32] half, and its offset table (wout * 32 uint32)
// One buffer each: the item's input is its largest part, and one DMA per kept row wants it as large as possible.
constexpr uint32_t kSubsampleWideBytes = kLayoutGatherHalfBytes;
constexpr uint32_t kSubsampleGatheredBytes = kLayoutBlockBytes;
constexpr uint32_t kSubsampleTableBytes = 2 * kLayoutBlockBytes;
__aicore__ inline constexpr uint32_t SubsampleOutBytes(bool coupled) { return 2 * LayoutQueueBytes(coupled); }
__aicore__ inline constexpr uint32_t SubsampleInBytes(bool coupled) {
    return LayoutTransformBytes(coupled) - kSubsampleWideBytes - kSubsampleGatheredBytes - kSubsampleTableBytes -
           SubsampleOutBytes(coupled);
}
static_assert(SubsampleInBytes(false) >= kLayoutBlockBytes && SubsampleInBytes(true) >= kLayoutBlockBytes &&
                  SubsampleOutBytes(false) >= kLayoutBlockBytes,
              "the filter items of the subsampled path still get their 8 KB blocks");
// The UB pitch of one kept input row: its span (wout - 1) * stride_w + 1 bytes, whole blocks (as DMAs place runs).
__aicore__ inline constexpr uint32_t SubsamplePitch(uint32_t wout, uint32_t stride_w) {
    return ((wout - 1) * stride_w + 1 + 31) / 32 * 32;
}
// Whether an item of `rows` x `groups` fits, and a DMA's 12-bit run count holds a row's groups * 32 channels.
__aicore__ inline constexpr bool SubsampleItemFits(bool coupled, uint32_t wout, uint32_t stride_w, uint32_t rows,
                                                   uint32_t groups) {
    return rows >= 1 && groups >= 1 && groups * 32 <= 4095 &&
           static_cast<uint64_t>(32) * SubsamplePitch(wout, stride_w) * 2 <= kSubsampleWideBytes &&
           static_cast<uint64_t>(wout) * 32 * 2 <= kSubsampleGatheredBytes &&
           static_cast<uint64_t>(wout) * 32 * 4 <= kSubsampleTableBytes &&
           static_cast<uint64_t>(rows) * groups * 32 * SubsamplePitch(wout, stride_w) <= SubsampleInBytes(coupled) &&
           static_cast<uint64_t>(rows) * groups * wout * 32 <= SubsampleOutBytes(coupled);
}

// Whole-plane items (small images): `groups` groups' planes, contiguous in x, in one DMA, [channel][H * W] int8;
// per group the 32 planes widened to half and one Gather of every kept position into [Ho * Wo][32].
__aicore__ inline constexpr bool SubsamplePlanesFit(bool coupled, uint32_t plane, uint32_t positions, uint32_t groups) {
    return groups >= 1 && static_cast<uint64_t>(32) * plane * 2 <= kSubsampleWideBytes &&
           static_cast<uint64_t>(positions) * 32 * 2 <= kSubsampleGatheredBytes &&
           static_cast<uint64_t>(positions) * 32 * 4 <= kSubsampleTableBytes &&
           static_cast<uint64_t>(groups) * 32 * plane <= SubsampleInBytes(coupled) &&
           static_cast<uint64_t>(groups) * positions * 32 <= SubsampleOutBytes(coupled);
}

// Span items (few channels): each channel's run from the item's first kept row to its last, [channel][pitch] int8,
// pitch = SubsampleSpanPitch; per group its `lanes` = min(32, Cin) channels widened to half, one Gather per output row.
__aicore__ inline constexpr uint32_t SubsampleSpanPitch(uint32_t rows, uint32_t row_step, uint32_t wout,
                                                        uint32_t stride_w) {
    return ((rows - 1) * row_step + (wout - 1) * stride_w + 1 + 31) / 32 * 32;
}
__aicore__ inline constexpr bool SubsampleSpansFit(bool coupled, uint32_t lanes, uint32_t item_channels, uint32_t pitch,
                                                   uint32_t wout, uint32_t rows, uint32_t groups) {
    return rows >= 1 && groups >= 1 && item_channels <= 4095 &&
           static_cast<uint64_t>(lanes) * pitch * 2 <= kSubsampleWideBytes &&
           static_cast<uint64_t>(wout) * 32 * 2 <= kSubsampleGatheredBytes &&
           static_cast<uint64_t>(wout) * 32 * 4 <= kSubsampleTableBytes &&
           static_cast<uint64_t>(item_channels) * pitch <= SubsampleInBytes(coupled) &&
           static_cast<uint64_t>(rows) * groups * wout * 32 <= SubsampleOutBytes(coupled);
}

// ---- 2002: soft SyncAll scratch (stage_cross_core.h SoftSyncAll) ----
constexpr uint32_t kSoftSyncBytesPerCore = 32;
__aicore__ inline constexpr uint32_t SoftSyncScratchBytes(uint32_t cores) { return Align(cores * kSoftSyncBytesPerCore); }

// ---- phase 2: dequant epilogue (epilogue_dequant_nz_to_nchw.h) ----
constexpr uint32_t kDequantChannels = fractal::kN0;  // one NZ fractal column: a channel group
constexpr uint32_t kDequantLanes = 64;        // 32-bit lanes of one repeat: 4 rows of 16 channels
constexpr uint32_t kDequantMaxPassRows = 1008;  // Add/Mul repeats = rows / 4 must stay <= 255

// Rows of one pass for the tiling's ub_m, channel groups for its ub_n, the queue depth for its ub_buffers.
__aicore__ inline constexpr uint32_t DequantPassRows(uint32_t ub_m) {
    const uint32_t rows = (ub_m + kDequantChannels - 1) / kDequantChannels * kDequantChannels;
    return rows < kDequantMaxPassRows ? rows : kDequantMaxPassRows;
}
__aicore__ inline constexpr uint32_t DequantPassGroups(uint32_t ub_n) {
    return ub_n < kDequantChannels ? 1 : ub_n / kDequantChannels;
}
__aicore__ inline constexpr uint32_t DequantBuffers(uint32_t ub_buffers) { return ub_buffers == 0 ? 1 : ub_buffers; }

// One buffer each: a pass of int32 (acc in-queue) or half (out-queue), one group's half rows (the narrowed
// group before its transpose), one operand's rows.
__aicore__ inline constexpr uint32_t DequantAccPassBytes(uint32_t rows, uint32_t groups) {
    return Align(groups * rows * kDequantChannels * 4);
}
__aicore__ inline constexpr uint32_t DequantHalfPassBytes(uint32_t rows, uint32_t groups) {
    return Align(groups * rows * kDequantChannels * 2);
}
__aicore__ inline constexpr uint32_t DequantChannelRowsBytes(uint32_t n_l0) {
    return Align(n_l0 / kDequantChannels * kDequantLanes * 4);
}
// 2002 (acc tile in UB): one uint32 gather offset per element of a group, to pack a channel group's rows.
__aicore__ inline constexpr uint32_t DequantPackTableBytes(uint32_t rows) { return Align(rows * kDequantChannels * 4); }

// The epilogue with passes of `rows` rows (DequantPassRows) x `groups` groups (DequantPassGroups) and `buffers`
// queue buffers (DequantBuffers); from ws.acc a pass brings the groups of each of `k_slices` partials
// (schedule::KSlices).
__aicore__ inline constexpr uint32_t DequantBytes(uint32_t rows, uint32_t groups, uint32_t buffers, uint32_t n_l0,
                                                  bool acc_from_workspace, uint32_t k_slices) {
    return (acc_from_workspace ? buffers * DequantAccPassBytes(rows, groups * k_slices) : DequantPackTableBytes(rows)) +
           DequantHalfPassBytes(rows, 1) + buffers * DequantHalfPassBytes(rows, groups) + 2 * DequantChannelRowsBytes(n_l0);
}

// ---- 2002: the acc tile from L0C (stage_cube_conv.h RunCubeCoupled) ----
__aicore__ inline constexpr uint32_t AccTileBytes(uint32_t m_l0, uint32_t n_l0) { return Align(m_l0 * n_l0 * 4); }

// ---- per phase, and the peak the tiling must fit ----
// coupled: arch 2002 (one core runs cube and vector). cores: the launch's block count (GetBlockNum()), or an
// upper bound of it.
__aicore__ inline constexpr uint32_t Phase1Bytes(bool coupled, uint32_t cores) {
    return LayoutTransformBytes(coupled) + (coupled ? SoftSyncScratchBytes(cores) : 0);
}
__aicore__ inline constexpr uint32_t Phase2Bytes(bool coupled, uint32_t m_l0, uint32_t n_l0, uint32_t ub_m,
                                                 uint32_t ub_n, uint32_t ub_buffers, uint32_t k_slices) {
    return DequantBytes(DequantPassRows(ub_m), DequantPassGroups(ub_n), DequantBuffers(ub_buffers), n_l0, !coupled,
                        k_slices) +
           (coupled ? AccTileBytes(m_l0, n_l0) : 0);
}
__aicore__ inline constexpr uint32_t PeakBytes(bool coupled, uint32_t cores, uint32_t m_l0, uint32_t n_l0,
                                               uint32_t ub_m, uint32_t ub_n, uint32_t ub_buffers, uint32_t k_slices) {
    return Max(Phase1Bytes(coupled, cores), Phase2Bytes(coupled, m_l0, n_l0, ub_m, ub_n, ub_buffers, k_slices));
}

}  // namespace vector_ub
}  // namespace qconv
