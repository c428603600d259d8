// How a block index and a loop counter map to work: the one schedule shared by the cube side, the vector
// side and the host tests that count coverage (op_kernel/README.md, "Contracts"). Pure integer arithmetic on
// QuantConv2dTilingData, no Ascend C types, so it compiles in the kernel, in the twin and on the host.
//
// Order of work inside a block: for each n tile, for each image, for each m tile (n outermost, so a resident
// weight slab serves every image and m tile of its n tile: a batch reads each weight slice once); with
// m_images > 1, for each group of m_images whole images instead. Inside a tile: for each K chunk (L1), for
// each k_l0 step (L0). Tile t of a block uses acc slot t % acc_slots.
#pragma once

#include <stdint.h>

#include "int8_fractal.h"
#include "cube_buffer_budget.h"
#include "quant_conv2d_tiling_data.h"

#ifndef __aicore__
#define __aicore__
#endif

namespace qconv {
namespace schedule {

__aicore__ inline uint32_t CeilDiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
__aicore__ inline uint32_t MinU32(uint32_t a, uint32_t b) { return a < b ? a : b; }
__aicore__ inline uint32_t AlignUp16(uint32_t a) { return (a + fractal::kM0 - 1) / fractal::kM0 * fractal::kM0; }

// The share of one cube block (and of its vector cores): images, channels and m units.
struct BlockWork {
    uint32_t batch_begin;
    uint32_t batch_count;
    uint32_t n_begin;   // first output channel (multiple of 16)
    uint32_t n_count;   // output channels, clipped to cout
    uint32_t m_begin;   // first m unit (16 positions, or an output row in kMTileInRow)
    uint32_t m_count;   // m units
    uint32_t n_tiles;   // per image
    uint32_t m_tiles;   // per image
    uint32_t tiles;     // image groups (ceil(batch_count / m_images)) * n_tiles * m_tiles; 0 for an idle block
    uint32_t k_slice;        // the block's K slice (0 without a K split)
    uint32_t k_chunk_begin;  // its K chunks: [k_chunk_begin, + k_chunk_count) of GetKChunk
    uint32_t k_chunk_count;
};

// One output tile: m_len x n_len results accumulated in L0C over all of K.
struct OutputTile {
    uint32_t batch;    // the tile's (first) image
    uint32_t images;   // whole images in the tile (m_images > 1), image i at L0 row i * ImageRowPitch; else 1
    uint32_t m_start;  // output position ho * Wo + wo of the tile's first row
    uint32_t m_len;    // <= m_l0
    uint32_t n_start;  // first output channel (multiple of 16)
    uint32_t n_len;    // <= n_l0
    uint32_t m_tile;   // index of the tile along M inside the block and image
    uint32_t n_tile;   // index of the tile along N inside the block
};

// One K chunk: what one fmap slab and one weight slab in L1 hold.
struct KChunk {
    uint32_t c1_begin;
    uint32_t c1_count;
    uint32_t kh_begin;      // first kernel row
    uint32_t kh_count;      // kernel rows (kh when c1_count > 1)
    uint32_t kw_begin;      // first kernel column
    uint32_t kw_count;      // kernel columns (kw unless kh_count == 1 and c1_count == 1): Load3D filterW
    uint32_t k_frac_begin;  // first FRACTAL_Z row: (c1_begin * kh + kh_begin) * kw + kw_begin
    uint32_t k_fracs;       // c1_count * kh_count * kw_count: the chunk's K in units of 32
};

// A 1-D window of the input along H or W as Load3D sees it: `count` real rows/columns from `begin`, with
// `pad_before` / `pad_after` virtual padding rows/columns around them (each <= 255, the padList field).
struct Window {
    uint32_t begin;
    uint32_t count;
    uint32_t pad_before;
    uint32_t pad_after;
};

// The fmap slab of a (tile, chunk) pair: SetFmatrix(rows.count, cols.count, {cols.pad_before,
// cols.pad_after, rows.pad_before, rows.pad_after}) and Load3D mStartPt = m_start_pt.
struct FmapSlab {
    Window rows;
    Window cols;
    uint32_t m_start_pt;  // the tile's first position counted from the slab's first output row
};

// Vector-side share of a tile for sub-block `sub` of `subs`: channel groups are split first (sub 0 takes
// ceil(groups / subs) 16-channel groups); with fewer groups than sub-blocks, each group goes to subs / groups
// of them, which split it along M (in 16-row units): 2201's two AIVs split a one-group tile, K slices deal a
// tile to 2 * k_dim AIVs.
__aicore__ inline uint32_t ShareRowParts(uint32_t groups, uint32_t subs) { return groups >= subs ? 1 : subs / groups; }
struct VectorShare {
    uint32_t m_offset;  // inside the tile
    uint32_t m_len;     // 0: nothing to do (the sub-block still takes part in the flag protocol)
    uint32_t n_offset;  // inside the tile, multiple of 16
    uint32_t n_len;
};

__aicore__ inline uint32_t PositionsPerImage(const QuantConv2dTilingData& td) { return td.hout * td.wout; }

__aicore__ inline uint32_t ImagesPerTile(const QuantConv2dTilingData& td) { return td.m_images > 1 ? td.m_images : 1; }
// L0 rows from one image to the next in a tile of several images: the image's positions rounded up to the m_l0
// granule (16; 32 on the direct GEMM path, whose L0A is filled in 32 x 32 squares).
__aicore__ inline uint32_t ImageRowPitch(const QuantConv2dTilingData& td) {
    const uint32_t granule = td.fmap_path == kFmapDirectGemm ? fractal::kK0 : fractal::kM0;
    return CeilDiv(PositionsPerImage(td), granule) * granule;
}

// Whether the cube reads its filter from ws.weight (laid out by phase 1) rather than from the weight input:
// a plain filter, or any filter of the kw-packed path (its FRACTAL_Z is of the packed conv).
__aicore__ inline bool CubeWeightInWorkspace(const QuantConv2dTilingData& td) {
    return td.weight_format == 0 || td.fmap_path == kFmapKwPacked;
}

// Whether phase 1 has work: a layout into ws.fmap (every path but the direct GEMM's) or ws.weight (plain
// filter). Every core reads the same tiling, so all of them skip phase 1 and its barrier together.
__aicore__ inline bool HasLayoutPhase(const QuantConv2dTilingData& td) {
    return td.fmap_path != kFmapDirectGemm || td.weight_format == 0;
}

// Arch 2002 rules of Load3D v2 for int8 (mirror-cann/asc-devkit LoadData_3D.md, 约束说明, the Atlas 推理系列产品 AI
// Core bullet; leideng/CANN-8.1.RC1 .../basic_api/impl/kernel_operator_mm_check.h, the __CCE_AICORE__ == 200
// branch): channelSize in {4, 8, 16, 32, N*32+4, N*32+8, N*32+16}, so whole channel groups go one per Load3D
// (channelSize = 32: one Load3D per channel group, Load3dKFracs below); and mStartPt % 16 == 0. kMTileAcrossRows
// tiles start at multiples of 16 positions, so on 2002 a slab starts at an output row ho with ho * Wo % 16 == 0:
// a multiple of SlabRowAlign = 16 / gcd(Wo, 16) rows (up to SlabRowAlign - 1 rows above the tile's first).
// The twin enforces both rules (sim/include/sim/cube.h CheckLoad3dV2Arch2002).
constexpr uint32_t kArchCoupled = 2002;
constexpr uint32_t kArchSplit = 2201;  // AIC + AIVs; ND2NZ of int8 and LoadDataWithTranspose exist only here
__aicore__ inline uint32_t SlabRowAlign(uint32_t npu_arch, uint32_t wout) {
    if (npu_arch != kArchCoupled) {
        return 1;
    }
    uint32_t g = 16;
    while (wout % g != 0) {
        g /= 2;
    }
    return 16 / g;
}

// K fractals one Load3D covers: the whole chunk on 2201 (channelSize = c1_count * 32); one channel group on 2002
// (channelSize = 32, the rule above), so there a chunk of several groups takes one Load3D per group and per K
// step, and no K step crosses a group boundary.
__aicore__ inline uint32_t Load3dKFracs(uint32_t npu_arch, uint32_t chunk_k_fracs, uint32_t group_k_fracs) {
    return npu_arch == kArchCoupled ? group_k_fracs : chunk_k_fracs;
}

__aicore__ inline uint32_t TilesPerOutputRow(const QuantConv2dTilingData& td) { return CeilDiv(td.wout, td.m_l0); }

// ---- K slices (2201, k_dim > 1): weight-heavy layers whose output is too small to give every cube core a
// tile of its own (ResNet's layer4 at batch 1) split K as well: the S = batch_dim * n_dim * m_dim blocks of
// slice 0 own the output tiles; block r + s * S runs the same tiles over the K chunks of slice s and writes
// its int32 partial into ws.acc (Fixpipe, no ring: every tile of the block has its own slot). After a second
// SyncAll the 2 * k_dim AIVs of the k_dim blocks sharing a tile each take a share of it (GetVectorShare over
// 2 * k_dim), read that share of every partial in one DMA, add them (int32 wraps, so the sum is the full-K
// accumulator whatever the order) and dequantize. In ws.acc the partials of one tile interleave per channel
// group, [group][slice][m_l0 rows][16] int32, so one strided DMA brings a pass's groups of every slice.
__aicore__ inline uint32_t KSlices(const QuantConv2dTilingData& td) { return td.k_dim > 1 ? td.k_dim : 1; }
__aicore__ inline uint32_t SliceBlocks(const QuantConv2dTilingData& td) { return td.batch_dim * td.n_dim * td.m_dim; }
// Block `block`'s K slice, and the slice-0 block whose tiles it runs (itself without K slices).
__aicore__ inline uint32_t SliceOf(const QuantConv2dTilingData& td, uint32_t block) {
    return KSlices(td) > 1 ? block / SliceBlocks(td) : 0;
}
__aicore__ inline uint32_t OwnerOf(const QuantConv2dTilingData& td, uint32_t block) {
    return KSlices(td) > 1 ? block % SliceBlocks(td) : block;
}

__aicore__ inline BlockWork GetBlockWork(const QuantConv2dTilingData& td, uint32_t block) {
    BlockWork w = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (block >= td.block_dim || td.n_dim == 0 || td.m_dim == 0 || td.batch_dim == 0) {
        return w;
    }
    const uint32_t slice = SliceOf(td, block);
    const uint32_t per_slice = KSlices(td) > 1 ? td.k_chunks_per_block : td.k_chunks;
    if (slice >= KSlices(td) || (KSlices(td) > 1 && slice * per_slice >= td.k_chunks)) {
        return w;
    }
    w.k_slice = slice;
    w.k_chunk_begin = slice * per_slice;
    w.k_chunk_count = MinU32(per_slice, td.k_chunks - w.k_chunk_begin);
    block = OwnerOf(td, block);
    const uint32_t batch_idx = block / (td.n_dim * td.m_dim);
    const uint32_t n_idx = (block / td.m_dim) % td.n_dim;
    const uint32_t m_idx = block % td.m_dim;

    w.batch_begin = batch_idx * td.batch_per_block;
    w.n_begin = n_idx * td.n_per_block * fractal::kN0;
    w.m_begin = m_idx * td.m_per_block;
    if (w.batch_begin >= td.batch || w.n_begin >= td.cout || w.m_begin >= td.m_units) {
        w.batch_begin = w.n_begin = w.m_begin = 0;
        return w;
    }
    w.batch_count = MinU32(td.batch_per_block, td.batch - w.batch_begin);
    w.n_count = MinU32(td.n_per_block * fractal::kN0, td.cout - w.n_begin);
    w.m_count = MinU32(td.m_per_block, td.m_units - w.m_begin);

    w.n_tiles = CeilDiv(w.n_count, td.n_l0);
    if (td.m_tile_mode == kMTileInRow) {
        w.m_tiles = w.m_count * TilesPerOutputRow(td);
    } else {
        const uint32_t first = w.m_begin * fractal::kM0;
        const uint32_t last = MinU32((w.m_begin + w.m_count) * fractal::kM0, PositionsPerImage(td));
        w.m_tiles = CeilDiv(last - first, td.m_l0);
    }
    w.tiles = CeilDiv(w.batch_count, ImagesPerTile(td)) * w.n_tiles * w.m_tiles;
    return w;
}

__aicore__ inline OutputTile GetTile(const QuantConv2dTilingData& td, const BlockWork& w, uint32_t tile) {
    OutputTile t;
    const uint32_t images = ImagesPerTile(td);
    const uint32_t per_n_tile = CeilDiv(w.batch_count, images) * w.m_tiles;
    const uint32_t in_n_tile = tile % per_n_tile;
    t.n_tile = tile / per_n_tile;
    t.batch = w.batch_begin + in_n_tile / w.m_tiles * images;
    t.images = MinU32(images, w.batch_begin + w.batch_count - t.batch);
    t.m_tile = in_n_tile % w.m_tiles;
    t.n_start = w.n_begin + t.n_tile * td.n_l0;
    t.n_len = MinU32(td.n_l0, w.n_begin + w.n_count - t.n_start);
    if (td.m_tile_mode == kMTileInRow) {
        const uint32_t per_row = TilesPerOutputRow(td);
        const uint32_t ho = w.m_begin + t.m_tile / per_row;
        const uint32_t wo = (t.m_tile % per_row) * td.m_l0;
        t.m_start = ho * td.wout + wo;
        t.m_len = MinU32(td.m_l0, td.wout - wo);
    } else {
        const uint32_t block_end = MinU32((w.m_begin + w.m_count) * fractal::kM0, PositionsPerImage(td));
        t.m_start = w.m_begin * fractal::kM0 + t.m_tile * td.m_l0;
        t.m_len = MinU32(td.m_l0, block_end - t.m_start);
    }
    return t;
}

// Rows of a tile in L0A and L0C (Mmad m): whole 16-row fractals; with several images, image i's rows begin at
// i * ImageRowPitch and the rows between one image's last position and the next image are padding.
__aicore__ inline uint32_t TileRows(const QuantConv2dTilingData& td, const OutputTile& t) {
    return t.images > 1 ? t.images * ImageRowPitch(td) : AlignUp16(t.m_len);
}

// Byte offset of the acc ring slot that tile `tile` of block `block` uses (2201). With K slices, the slot of the
// slice-0 block holds every slice's partial: slice s's column block g at rows ((g * k_dim + s) * m_l0).
__aicore__ inline uint32_t AccSlot(const QuantConv2dTilingData& td, uint32_t tile) { return tile % td.acc_slots; }
__aicore__ inline uint64_t AccSlotOffset(const QuantConv2dTilingData& td, uint32_t block, uint32_t tile) {
    return td.ws_acc_offset +
           ((static_cast<uint64_t>(OwnerOf(td, block)) * td.acc_slots + AccSlot(td, tile)) * KSlices(td)) *
               td.acc_slot_bytes +
           static_cast<uint64_t>(SliceOf(td, block)) * td.m_l0 * fractal::kN0 * sizeof(int32_t);
}
// Bytes from AccSlotOffset to the end of the tile's slot (all of its slices' partials).
__aicore__ inline uint64_t AccSlotSpanBytes(const QuantConv2dTilingData& td, uint32_t block) {
    return td.acc_slot_bytes * KSlices(td) -
           static_cast<uint64_t>(SliceOf(td, block)) * td.m_l0 * fractal::kN0 * sizeof(int32_t);
}
// Rows from one 16-channel column block of a partial to the next in ws.acc: m_l0, times the K slices.
__aicore__ inline uint32_t AccGroupPitchRows(const QuantConv2dTilingData& td) { return td.m_l0 * KSlices(td); }

__aicore__ inline uint32_t KhGroups(const QuantConv2dTilingData& td) { return CeilDiv(td.kh, td.kh_per_chunk); }
__aicore__ inline uint32_t KwGroups(const QuantConv2dTilingData& td) { return CeilDiv(td.kw, td.kw_per_chunk); }

// Chunk order: channel group, then kernel row group, then kernel column group, so consecutive chunks are
// consecutive FRACTAL_Z rows (row (c1 * kh + i) * kw + j).
__aicore__ inline KChunk GetKChunk(const QuantConv2dTilingData& td, uint32_t chunk) {
    KChunk c;
    c.kw_begin = 0;
    c.kw_count = td.kw;
    if (td.kh_per_chunk >= td.kh && td.kw_per_chunk >= td.kw) {
        c.c1_begin = chunk * td.c1_per_chunk;
        c.c1_count = MinU32(td.c1_per_chunk, td.c1 - c.c1_begin);
        c.kh_begin = 0;
        c.kh_count = td.kh;
    } else {
        const uint32_t w_groups = KwGroups(td);
        const uint32_t groups = KhGroups(td) * w_groups;
        c.c1_begin = chunk / groups;
        c.c1_count = 1;
        c.kh_begin = (chunk % groups) / w_groups * td.kh_per_chunk;
        c.kh_count = MinU32(td.kh_per_chunk, td.kh - c.kh_begin);
        c.kw_begin = (chunk % w_groups) * td.kw_per_chunk;
        c.kw_count = MinU32(td.kw_per_chunk, td.kw - c.kw_begin);
    }
    c.k_frac_begin = (c.c1_begin * td.kh + c.kh_begin) * td.kw + c.kw_begin;
    c.k_fracs = c.c1_count * c.kh_count * c.kw_count;
    return c;
}

// Clips the virtual input range [v_first, v_last] (may reach into the padding) to [0, extent). When no real
// row/column is touched, one real element is loaded and every tap lands in pad_before, so the slab is never
// empty (an empty Load3D source is a no-op and would leave L0A unwritten).
__aicore__ inline Window ClipWindow(int64_t v_first, int64_t v_last, uint32_t extent) {
    Window w;
    const int64_t real_first = v_first > 0 ? v_first : 0;
    const int64_t real_last = v_last < static_cast<int64_t>(extent) - 1 ? v_last : static_cast<int64_t>(extent) - 1;
    if (real_first <= real_last) {
        w.begin = static_cast<uint32_t>(real_first);
        w.count = static_cast<uint32_t>(real_last - real_first + 1);
        w.pad_before = static_cast<uint32_t>(real_first - v_first);
        w.pad_after = static_cast<uint32_t>(v_last - real_last);
    } else {
        w.begin = 0;
        w.count = 1;
        w.pad_before = static_cast<uint32_t>(v_last - v_first + 1);
        w.pad_after = 0;
    }
    return w;
}

// kMTileAcrossRows slabs hold, per input row, only the columns the chunk's kernel columns [kw_begin,
// kw_begin + kw_count) read for the Wo outputs, when that window touches the input. A window wholly in the
// padding would load one real column next to it and so change the width Load3D derives Wo from: such a
// chunk takes whole input rows with the full padding instead, which needs kw_count == kw.
__aicore__ inline bool ColumnWindowHasData(const QuantConv2dTilingData& td, uint32_t kw_begin, uint32_t kw_count) {
    const int64_t first = static_cast<int64_t>(kw_begin) * td.dilation_w - td.pad_w;
    const int64_t last = static_cast<int64_t>(td.wout - 1) * td.stride_w - td.pad_w +
                         static_cast<int64_t>(kw_begin + kw_count - 1) * td.dilation_w;
    return last >= 0 && first < static_cast<int64_t>(td.win);
}

// kFmapDirectGemm: the slab is the chunk's c1_count * 32 channel rows of x, each the tile's m_len positions
// zero-filled to whole 32-position blocks by ND2NZ: [ceil(m_len / 32)][c1_count * 32][32] int8. Expressed as a
// one-row window of AlignUp(m_len, 32) columns starting at the tile's first position, so FmapSlabBytes holds.
__aicore__ inline uint32_t AlignUp32(uint32_t a) { return (a + fractal::kK0 - 1) / fractal::kK0 * fractal::kK0; }

__aicore__ inline FmapSlab GetFmapSlab(const QuantConv2dTilingData& td, const OutputTile& t, const KChunk& c) {
    FmapSlab s;
    if (td.fmap_path == kFmapDirectGemm) {
        s.rows = {0, 1, 0, 0};
        s.cols = {t.m_start, AlignUp32(t.m_len), 0, 0};
        s.m_start_pt = 0;
        return s;
    }
    uint32_t ho_first = t.m_start / td.wout;
    if (td.m_tile_mode == kMTileAcrossRows) {
        const uint32_t align = SlabRowAlign(td.npu_arch, td.wout);
        ho_first = ho_first / align * align;  // m_start_pt below then a multiple of 16 on 2002
    }
    const uint32_t ho_last = (t.m_start + t.m_len - 1) / td.wout;
    const int64_t row_first = static_cast<int64_t>(ho_first) * td.stride_h - td.pad_h +
                              static_cast<int64_t>(c.kh_begin) * td.dilation_h;
    const int64_t row_last = static_cast<int64_t>(ho_last) * td.stride_h - td.pad_h +
                             static_cast<int64_t>(c.kh_begin + c.kh_count - 1) * td.dilation_h;
    s.rows = ClipWindow(row_first, row_last, td.hin);
    if (td.m_tile_mode == kMTileInRow) {
        const uint32_t wo_first = t.m_start % td.wout;
        const int64_t col_first = static_cast<int64_t>(wo_first) * td.stride_w - td.pad_w +
                                  static_cast<int64_t>(c.kw_begin) * td.dilation_w;
        const int64_t col_last = static_cast<int64_t>(wo_first + t.m_len - 1) * td.stride_w - td.pad_w +
                                 static_cast<int64_t>(c.kw_begin + c.kw_count - 1) * td.dilation_w;
        s.cols = ClipWindow(col_first, col_last, td.win);
        s.m_start_pt = 0;
    } else if (c.kw_count != td.kw && ColumnWindowHasData(td, c.kw_begin, c.kw_count)) {
        // The columns every output row reads for this chunk's kernel columns: the window is exactly
        // (Wo - 1) * stride + the chunk's kernel extent wide, so Load3D derives exactly Wo outputs per slab row.
        s.cols = ClipWindow(static_cast<int64_t>(c.kw_begin) * td.dilation_w - td.pad_w,
                            static_cast<int64_t>(td.wout - 1) * td.stride_w - td.pad_w +
                                static_cast<int64_t>(c.kw_begin + c.kw_count - 1) * td.dilation_w,
                            td.win);
        s.m_start_pt = t.m_start - ho_first * td.wout;
    } else {
        // Whole kernel rows (or every tap in the padding, which the engine only allows with kw_count == kw):
        // whole input rows with the full padding, so Load3D derives exactly Wo outputs per slab row and the
        // slab of one channel group is one contiguous run of ws.fmap.
        s.cols.begin = 0;
        s.cols.count = td.win;
        s.cols.pad_before = td.pad_w;
        s.cols.pad_after = td.pad_w;
        s.m_start_pt = t.m_start - ho_first * td.wout;
    }
    return s;
}

__aicore__ inline uint32_t FmapSlabBytes(const FmapSlab& s, const KChunk& c) {
    return static_cast<uint32_t>(cube_buffers::FmapSlabBytes(1, c.c1_count, s.rows.count, s.cols.count));
}

__aicore__ inline VectorShare GetVectorShare(const OutputTile& t, uint32_t sub, uint32_t subs) {
    VectorShare v = {0, 0, 0, 0};
    const uint32_t groups = CeilDiv(t.n_len, fractal::kN0);
    const uint32_t row_parts = ShareRowParts(groups, subs);
    const uint32_t groups_per = row_parts > 1 ? 1 : CeilDiv(groups, subs);
    const uint32_t rows_per = CeilDiv(CeilDiv(t.m_len, fractal::kM0), row_parts) * fractal::kM0;
    const uint32_t first_group = sub / row_parts * groups_per;
    const uint32_t first_row = (sub % row_parts) * rows_per;
    if (first_group < groups && first_row < t.m_len) {
        v.n_offset = first_group * fractal::kN0;
        v.n_len = MinU32(groups_per * fractal::kN0, t.n_len - v.n_offset);
        v.m_offset = first_row;
        v.m_len = MinU32(rows_per, t.m_len - first_row);
    }
    return v;
}

}  // namespace schedule
}  // namespace qconv
