// The tiling data of QuantConv2d: a fixed-layout POD written by op_host's tiling engine and read by the
// kernel (GET_TILING_DATA) and by the CPU twin. Only fixed-width integer fields and explicit padding, no
// CANN or STL types, so host (g++/clang) and device (ccec) agree on every offset; the static_asserts at the
// bottom pin the layout. The struct is in sections (problem, paths, split, L0, L1, vector side, kw_pack,
// subsample, workspace), each with its field list below it; a new field goes into its section and that section's list
// (the size checks fail otherwise), keeping the uint64 workspace section 8-byte aligned.
//
// Vocabulary (op_kernel/README.md): per image the convolution is a GEMM with M = Ho*Wo output positions
// (m = ho*Wo + wo), N = Cout, K = C1*kh*kw*32 in the order (c1, i, j, c0) of Load3D and FRACTAL_Z.
//
// The kernel's paths, each chosen by the tiling and read from one field:
//   fmap source    fmap_path      kFmapImg2col: phase 1 lays x out into ws.fmap, the cube img2cols it (Load3D v2)
//                                 kFmapDirectGemm: the cube reads x itself (ND2NZ + LoadDataWithTranspose)
//                                 kFmapKwPacked: phase 1 packs a row's kw taps into C0 (RGB stems)
//                                 kFmapSubsampled: phase 1 lays out only x[:, :, ::sh, ::sw] (1x1, stride > 1, pad 0)
//   weight source  weight_format  0: NCHW, laid out into ws.weight by phase 1; 1: FRACTAL_Z, read as it arrived
//   M tile mode    m_tile_mode    kMTileAcrossRows | kMTileInRow
//   images/tile    m_images       1 | k whole images per tile (2201, across rows, m_dim 1: small outputs, large batch)
//   K slices       k_dim          1 | k: K split over the cores too, partials added by the AIVs after a second
//                                 SyncAll (2201: a small output with a large weight)
//   K chunk kind   c1/kh/kw_per_chunk  whole channel groups | kernel rows of one group | kernel columns of one row
//   epilogue       npu_arch       2201: Fixpipe -> ws.acc ring -> the AIVs' dequant; 2002: L0C -> UB, same core
//   offset_x       offset_x_zero_point  1: Mmads of a constant -offset_x L0A tile (310P legacy semantics)
// Phase 1 (layouts, then SyncAll) runs only when the fmap or the weight needs laying out.
// kFmapKwPacked: the cube's filter is always ws.weight (phase 1 packs it from either input format).
// kFmapKwPacked and kFmapSubsampled: the conv fields describe the conv the cube runs; x's own axes are in their
// sections at the end.
#pragma once

#include <stdint.h>

namespace qconv {

// How an output tile is cut out of M, and which unit the block split counts in.
enum QuantConv2dMTileMode : uint32_t {
    kMTileAcrossRows = 0,  // tiles are runs of m_l0 positions over whole output rows; M split unit = 16 positions
    kMTileInRow = 1,       // a full output row does not fit L1: tiles are runs of <= m_l0 positions inside one
                           // output row; M split unit = one output row
};

// Where the cube's fmap (the A operand) comes from.
enum QuantConv2dFmapPath : uint32_t {
    kFmapImg2col = 0,    // phase 1 lays x out into ws.fmap (NC1HWC0); the cube img2cols slabs of it (Load3D v2)
    kFmapDirectGemm = 1, // 1x1, stride 1, no padding, Cin % 32 == 0, arch 2201: per image y = W x is a GEMM whose A
                         // is x^T, read from NCHW x as it is (DataCopy ND2NZ into L1, LoadDataWithTranspose into
                         // L0A); no layout pass, no ws.fmap
    kFmapKwPacked = 2,   // kw * Cin <= 32 (RGB stems): phase 1 packs a row's kw taps into C0, x'[h][wo][j * Cin + ci]
                         // = x[ci][h][wo * stride_w + j * dilation_w - pad_w], and the filter alike, so the cube
                         // runs the conv (kh x 1, stride (stride_h, 1)) on x' with K = kh * 32 instead of kh * kw * 32.
                         // The conv fields above describe that packed conv; the kw_pack section holds x's own W axis.
    kFmapSubsampled = 3, // 1x1, pad 0, stride > 1 (ResNet downsample): phase 1 lays out only the kept positions,
                         // x'[n][c][ho][wo] = x[n][c][ho * stride_h][wo * stride_w], as NC1HWC0 of Ho x Wo (ws.fmap
                         // stride_h * stride_w times smaller), and the cube runs the 1x1 stride-1 conv on x' by img2col.
                         // The conv fields above describe that conv (hin, win = Ho, Wo; stride 1); the subsample section
                         // holds x's own H, W and strides. The filter is the caller's, unchanged.
};

// kFmapSubsampled: the shape of phase 1's items (op_kernel/layout_x_and_filter_to_workspace.h SubsampleItem).
enum QuantConv2dSubsampleKind : uint32_t {
    kSubsampleRows = 0,    // rows x groups; one DMA per kept input row brings every channel of the item
    kSubsamplePlanes = 1,  // groups of whole small planes (rows == Ho), one contiguous DMA
    kSubsampleSpans = 2,   // rows x groups; one DMA brings each channel's run from the first kept row to the last
                           // (skipped rows too): few channels, where a kept row per DMA is a small DMA
};

struct QuantConv2dTilingData {
    // ---- problem (after checks; Ho, Wo > 0) -------------------------------------------------------------
    uint32_t batch;
    uint32_t cin;
    uint32_t hin;
    uint32_t win;
    uint32_t cout;
    uint32_t kh;
    uint32_t kw;
    uint32_t stride_h;
    uint32_t stride_w;
    uint32_t pad_h;  // top = bottom
    uint32_t pad_w;  // left = right
    uint32_t dilation_h;
    uint32_t dilation_w;
    int32_t offset_x;     // img2col padding value, [-128, 127]
    uint32_t has_bias;    // 0 / 1
    uint32_t scale_kind;  // qconv::ScaleKind: 0 int64 QUANT_PRE word, 1 float32
    uint32_t hout;
    uint32_t wout;
    uint32_t c1;  // ceil(cin / 32): C1 of NC1HWC0 and of FRACTAL_Z
    uint32_t n1;  // ceil(cout / 16): column fractals of FRACTAL_Z
    uint32_t npu_arch;  // 2201 (split cores, Fixpipe to ws.acc) or 2002 (coupled, L0C -> UB)
    uint32_t reserved_problem;

    // ---- paths (the header comment above) ------------------------------------------------------------------
    uint32_t fmap_path;            // QuantConv2dFmapPath
    uint32_t weight_format;        // qconv::WeightFormat: 0 NCHW (laid out into ws.weight by phase 1), 1 FRACTAL_Z
                                   // input read by the cube as it is (ws.weight is then empty)
    uint32_t offset_x_zero_point;  // 1: the SoC's legacy semantics subtract offset_x * sum(w[co]) (310P) and
                                   // offset_x != 0: the cube adds Mmads of a constant -offset_x L0A tile
    uint32_t m_tile_mode;          // QuantConv2dMTileMode

    // ---- block split over cube cores: batch x n x m, and on 2201 K -----------------------------------------
    // block b -> K slice b / S and, with r = b % S (S = batch_dim * n_dim * m_dim), (r / (n_dim * m_dim),
    // (r / m_dim) % n_dim, r % m_dim); each axis hands out `*_per_block` units, the last block of an axis gets
    // the tail; dims are normalised so no block is empty.
    uint32_t block_dim;          // batch_dim * n_dim * m_dim * k_dim <= cube cores
    uint32_t batch_dim;
    uint32_t n_dim;
    uint32_t m_dim;
    uint32_t batch_per_block;    // images
    uint32_t n_per_block;        // in units of 16 output channels
    uint32_t m_per_block;        // in m units: 16 positions (kMTileAcrossRows) or output rows (kMTileInRow)
    uint32_t m_units;            // total m units of one image
    uint32_t m_images;           // >= 1: an output tile holds up to this many whole images of the block (2201,
                                 // kMTileAcrossRows, m_dim 1), image i in rows [i * ImageRowPitch, + Ho*Wo) of
                                 // the L0 tile (quant_conv2d_schedule.h), so that a small output (ResNet's 7x7)
                                 // still makes a tile tall enough for each weight byte brought into L1 and L0B
                                 // to serve m_l0 rows. 0 or 1: a tile is part of one image
    uint32_t k_dim;              // K slices (2201; 0 or 1: none): block r + s * S runs K chunks [s * k_chunks_per_block,
                                 // + k_chunks_per_block) of block r's tiles into its own int32 partial in ws.acc; after
                                 // a second SyncAll the AIVs of the k_dim blocks add the partials and dequantize
                                 // (quant_conv2d_schedule.h, "K slices")
    uint32_t k_chunks_per_block; // K chunks of one K slice; the last slice gets the tail

    // ---- L0 tiles (elements); one output tile = m_l0 x n_l0 int32 in L0C, accumulated over all of K ------
    uint32_t m_l0;               // multiple of 16; in kMTileInRow the tile width along Wo
    uint32_t n_l0;               // multiple of 16
    uint32_t k_l0;               // multiple of 32: K of one Load3D / LoadData / Mmad step
    uint32_t l0a_buffers;        // 1 or 2
    uint32_t l0b_buffers;        // 1 or 2
    uint32_t l0c_buffers;        // 1 or 2

    // ---- L1: K is walked in chunks; a chunk is either c1_per_chunk whole channel groups with every kernel
    // row, or (c1_per_chunk == 1) kh_per_chunk kernel rows of one channel group, or (c1_per_chunk ==
    // kh_per_chunk == 1) kw_per_chunk kernel columns of one kernel row (kw_per_chunk < kw).
    // A chunk's fmap slab holds [images][c1_per_chunk][rows][cols][32] int8, its weight slab
    // [chunk K/32][n_l0/16][16][32].
    uint32_t c1_per_chunk;
    uint32_t kh_per_chunk;
    uint32_t kw_per_chunk;       // kernel columns per K chunk (== kw unless a kernel row is split)
    uint32_t k_chunks;           // ceil(c1 / c1_per_chunk) * ceil(kh / kh_per_chunk) * ceil(kw / kw_per_chunk)
    uint32_t fmap_l1_bytes;      // one fmap slab buffer (worst tile)
    uint32_t weight_l1_bytes;    // one weight slab buffer
    uint32_t fmap_l1_buffers;    // 1 or 2
    uint32_t weight_l1_buffers;  // 1 or 2
    uint32_t weight_resident;    // 1: k_chunks == 1 and the weight slab stays in L1 across the m tiles of an n tile
    uint32_t prefetch_weight_rows; // 2201: K fractal rows of the block's first weight slab the AIC loads before
                                   // phase 1's barrier (its FRACTAL_Z filter input does not depend on phase 1): as
                                   // many as the tiling expects to load under the layout work (the SyncAll drains
                                   // the AIC's pipes, so more would delay the cube); 0: none

    // ---- vector side ----------------------------------------------------------------------------------------
    uint32_t acc_slots;          // 2201: ws.acc ring depth per block (<= 4: C2V flags 0..3, V2C flags 4..7)
    uint32_t ub_m;               // rows of one UB dequant pass (multiple of 16, <= m_l0)
    uint32_t ub_n;               // channels of one UB dequant pass (multiple of 16, <= n_l0)
    uint32_t ub_buffers;         // 1 or 2
    uint32_t ub_bytes;           // UB bytes the vector side may use (after its own budget check)
    uint32_t layout_fmap_run;    // 2201: H*W positions per fmap item of phase 1 (<= vector_ub::LayoutFmapRun; 0:
                                 // that maximum), chosen so the items spread evenly over the vector cores, since
                                 // each item pays a DMA's fixed cost twice (in and out)

    // ---- kw_pack (fmap_path kFmapKwPacked): the input and filter as the caller gave them -----------------
    uint32_t kw_pack_cin;          // Cin of x and the filter (cin above is kw_pack_kw * kw_pack_cin)
    uint32_t kw_pack_win;          // W of x (win above is Wo)
    uint32_t kw_pack_kw;           // kw of the filter (kw above is 1)
    uint32_t kw_pack_stride_w;
    uint32_t kw_pack_pad_w;
    uint32_t kw_pack_dilation_w;

    // ---- subsample (fmap_path kFmapSubsampled): x as the caller gave it, and phase 1's items -------------
    uint32_t subsample_hin;        // H of x (hin above is Ho)
    uint32_t subsample_win;        // W of x (win above is Wo)
    uint32_t subsample_stride_h;   // the caller's strides (stride_h / stride_w above are 1)
    uint32_t subsample_stride_w;
    uint32_t subsample_rows;       // output rows per phase-1 item (vector_ub::SubsampleItemFits)
    uint32_t subsample_groups;     // 32-channel groups per phase-1 item
    uint32_t subsample_kind;       // QuantConv2dSubsampleKind

    // ---- workspace (bytes from the start of the user workspace; 512 B aligned) --------------------------
    uint64_t ws_fmap_offset;     // [N][C1][H][W][32] int8
    uint64_t ws_fmap_bytes;
    uint64_t ws_weight_offset;   // FRACTAL_Z [C1*kh*kw][N1][16][32] int8
    uint64_t ws_weight_bytes;
    uint64_t ws_acc_offset;      // 2201: [block_dim][acc_slots][m_l0 * n_l0] int32 NZ; 2002: 0 bytes
    uint64_t ws_acc_bytes;
    uint64_t acc_slot_bytes;     // m_l0 * n_l0 * 4
    uint64_t ws_total_bytes;     // user workspace (the system workspace is added by the TilingFunc)
    uint64_t ws_sync_offset;     // 2002: the soft SyncAll area, block_dim x 32 B, cleared by the kernel itself
    uint64_t ws_sync_bytes;      //       before its barrier (stage_cross_core.h); 2201: 0 bytes
};

// The field list of each section, the one list every by-name use of the POD goes through (op_host's Python
// dict, the twin tests' overrides). A field added to the struct without its list breaks the size checks below.
// The convolution's geometry: the problem fields op_host's tiling::Problem holds under the same names.
#define QCONV_TILING_GEOMETRY_FIELDS(X)                                                                         \
    X(batch) X(cin) X(hin) X(win) X(cout) X(kh) X(kw) X(stride_h) X(stride_w) X(pad_h) X(pad_w) X(dilation_h)    \
    X(dilation_w) X(hout) X(wout) X(c1) X(n1)
#define QCONV_TILING_PROBLEM_FIELDS(X)                                                                          \
    QCONV_TILING_GEOMETRY_FIELDS(X) X(offset_x) X(has_bias) X(scale_kind) X(npu_arch) X(reserved_problem)
#define QCONV_TILING_PATH_FIELDS(X) X(fmap_path) X(weight_format) X(offset_x_zero_point) X(m_tile_mode)
#define QCONV_TILING_SPLIT_FIELDS(X)                                                                            \
    X(block_dim) X(batch_dim) X(n_dim) X(m_dim) X(batch_per_block) X(n_per_block) X(m_per_block) X(m_units)       \
    X(m_images) X(k_dim) X(k_chunks_per_block)
#define QCONV_TILING_L0_FIELDS(X) X(m_l0) X(n_l0) X(k_l0) X(l0a_buffers) X(l0b_buffers) X(l0c_buffers)
#define QCONV_TILING_L1_FIELDS(X)                                                                               \
    X(c1_per_chunk) X(kh_per_chunk) X(kw_per_chunk) X(k_chunks) X(fmap_l1_bytes) X(weight_l1_bytes)              \
    X(fmap_l1_buffers) X(weight_l1_buffers) X(weight_resident) X(prefetch_weight_rows)
#define QCONV_TILING_VECTOR_FIELDS(X) X(acc_slots) X(ub_m) X(ub_n) X(ub_buffers) X(ub_bytes) X(layout_fmap_run)
#define QCONV_TILING_KW_PACK_FIELDS(X)                                                                          \
    X(kw_pack_cin) X(kw_pack_win) X(kw_pack_kw) X(kw_pack_stride_w) X(kw_pack_pad_w) X(kw_pack_dilation_w)
#define QCONV_TILING_SUBSAMPLE_FIELDS(X)                                                                        \
    X(subsample_hin) X(subsample_win) X(subsample_stride_h) X(subsample_stride_w) X(subsample_rows)              \
    X(subsample_groups) X(subsample_kind)
#define QCONV_TILING_WORKSPACE_FIELDS(X)                                                                        \
    X(ws_fmap_offset) X(ws_fmap_bytes) X(ws_weight_offset) X(ws_weight_bytes) X(ws_acc_offset) X(ws_acc_bytes)   \
    X(acc_slot_bytes) X(ws_total_bytes) X(ws_sync_offset) X(ws_sync_bytes)
#define QCONV_TILING_FIELDS(X)                                                                                  \
    QCONV_TILING_PROBLEM_FIELDS(X) QCONV_TILING_PATH_FIELDS(X) QCONV_TILING_SPLIT_FIELDS(X)                       \
    QCONV_TILING_L0_FIELDS(X) QCONV_TILING_L1_FIELDS(X) QCONV_TILING_VECTOR_FIELDS(X) QCONV_TILING_KW_PACK_FIELDS(X) \
    QCONV_TILING_SUBSAMPLE_FIELDS(X) QCONV_TILING_WORKSPACE_FIELDS(X)

// Each section's list covers exactly its bytes: from its first field to the next section's first field.
#define QCONV_TILING_FIELD_BYTES(field) +sizeof(QuantConv2dTilingData::field)
#define QCONV_TILING_SPAN(first, next) (__builtin_offsetof(QuantConv2dTilingData, next) - __builtin_offsetof(QuantConv2dTilingData, first))
static_assert(0 QCONV_TILING_PROBLEM_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(batch, fmap_path), "problem list");
static_assert(0 QCONV_TILING_PATH_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(fmap_path, block_dim), "path list");
static_assert(0 QCONV_TILING_SPLIT_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(block_dim, m_l0), "split list");
static_assert(0 QCONV_TILING_L0_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(m_l0, c1_per_chunk), "L0 list");
static_assert(0 QCONV_TILING_L1_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(c1_per_chunk, acc_slots), "L1 list");
static_assert(0 QCONV_TILING_VECTOR_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(acc_slots, kw_pack_cin), "vector list");
static_assert(0 QCONV_TILING_KW_PACK_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(kw_pack_cin, subsample_hin), "kw_pack list");
static_assert(0 QCONV_TILING_SUBSAMPLE_FIELDS(QCONV_TILING_FIELD_BYTES) == QCONV_TILING_SPAN(subsample_hin, ws_fmap_offset),
              "subsample list");
static_assert(0 QCONV_TILING_WORKSPACE_FIELDS(QCONV_TILING_FIELD_BYTES) ==
                  sizeof(QuantConv2dTilingData) - __builtin_offsetof(QuantConv2dTilingData, ws_fmap_offset), "workspace list");
static_assert(0 QCONV_TILING_FIELDS(QCONV_TILING_FIELD_BYTES) == sizeof(QuantConv2dTilingData), "every byte is a listed field");
#undef QCONV_TILING_SPAN
#undef QCONV_TILING_FIELD_BYTES

static_assert(sizeof(QuantConv2dTilingData) == 368, "tiling data layout changed: update host and kernel together");
static_assert(sizeof(QuantConv2dTilingData) % 8 == 0, "tiling data must stay 8-byte granular");
static_assert(__builtin_offsetof(QuantConv2dTilingData, ws_fmap_offset) % 8 == 0, "uint64 fields must be 8-aligned");

}  // namespace qconv
