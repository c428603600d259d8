#include "op_host/tiling/tiling_budgets.h"

#include <algorithm>
#include <cstdint>

#include "op_host/tiling/l0_tiling.h"
#include "op_host/tiling/l1_tiling.h"
#include "op_host/tiling/ub_tiling.h"
#include "op_host/tiling/workspace.h"
#include "op_kernel/cube_buffer_budget.h"
#include "op_kernel/quant_conv2d_schedule.h"
#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

Problem ProblemOf(const QuantConv2dTilingData& td) {
    Problem p{};
#define QCONV_FROM_POD(field) p.field = td.field;
    QCONV_TILING_GEOMETRY_FIELDS(QCONV_FROM_POD)
#undef QCONV_FROM_POD
    p.positions = static_cast<uint64_t>(td.hout) * td.wout;
    p.k_fracs = static_cast<uint64_t>(td.c1) * td.kh * td.kw;
    p.weight_prepacked = !schedule::CubeWeightInWorkspace(td);
    p.fmap_direct = td.fmap_path == kFmapDirectGemm;
    return p;
}

// Sums and products of the POD's fields, in 128 bits: broken tiling data cannot wrap past a bound.
using Wide = unsigned __int128;
constexpr Wide kInt64Max = static_cast<Wide>(INT64_MAX);

std::string Text(Wide v) {
    std::string s;
    do {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return s;
}

class Checker {
  public:
    void Require(bool ok, const std::string& what, Wide lhs, const char* op, Wide rhs) {
        if (!ok) {
            violations_.push_back(what + ": " + Text(lhs) + ' ' + op + ' ' + Text(rhs) + " does not hold");
        }
    }
    void Le(const std::string& what, Wide lhs, Wide rhs) { Require(lhs <= rhs, what, lhs, "<=", rhs); }
    void Eq(const std::string& what, Wide lhs, Wide rhs) { Require(lhs == rhs, what, lhs, "==", rhs); }
    void Ge(const std::string& what, Wide lhs, Wide rhs) { Require(lhs >= rhs, what, lhs, ">=", rhs); }
    size_t Count() const { return violations_.size(); }
    std::vector<std::string> Take() { return std::move(violations_); }

  private:
    std::vector<std::string> violations_;
};

// One axis of the block split covers `units` exactly: dim blocks of per_block units, none idle.
void CheckAxis(Checker& c, const char* axis, uint64_t units, uint64_t dim, uint64_t per_block) {
    c.Ge(std::string("blocks: ") + axis + " dim", dim, 1);
    c.Ge(std::string("blocks: ") + axis + " per block", per_block, 1);
    c.Ge(std::string("coverage: ") + axis + " dim * per block covers the axis", Wide(dim) * per_block, units);
    c.Le(std::string("blocks: ") + axis + " last block not idle: (dim - 1) * per block < units",
         Wide(dim - 1) * per_block + 1, units);
}

}  // namespace

uint64_t WorstFmapSlabBytes(const QuantConv2dTilingData& td) {
    const SlabExtent e = WorstSlab(ProblemOf(td), td.npu_arch, static_cast<QuantConv2dMTileMode>(td.m_tile_mode),
                                   td.m_l0, td.kh_per_chunk, td.kw_per_chunk);
    return cube_buffers::FmapSlabBytes(schedule::ImagesPerTile(td), td.c1_per_chunk, e.rows, e.cols);
}

std::vector<std::string> BudgetViolations(const QuantConv2dTilingData& td, const SocSpec& soc) {
    Checker c;
    // The fields the rules below divide by: broken tiling data with one of them 0 gets only these lines.
    c.Ge("K: c1_per_chunk", td.c1_per_chunk, 1);
    c.Ge("K: kh_per_chunk", td.kh_per_chunk, 1);
    c.Ge("K: kw_per_chunk", td.kw_per_chunk, 1);
    c.Ge("problem: hout", td.hout, 1);
    c.Ge("problem: wout", td.wout, 1);
    if (td.fmap_path == kFmapKwPacked) c.Ge("kw-packed: kw_pack_stride_w", td.kw_pack_stride_w, 1);
    if (c.Count() != 0) return c.Take();
    const Problem p = ProblemOf(td);
    const uint64_t m_units = td.m_tile_mode == kMTileInRow ? td.hout : CeilDiv(p.positions, kM0);

    c.Le("blocks: block_dim <= cube cores", td.block_dim, soc.cube_cores);
    c.Eq("blocks: block_dim == batch_dim * n_dim * m_dim * K slices", td.block_dim,
         static_cast<uint64_t>(td.batch_dim) * td.n_dim * td.m_dim * schedule::KSlices(td));
    c.Eq("blocks: m_units", td.m_units, m_units);
    CheckAxis(c, "batch", td.batch, td.batch_dim, td.batch_per_block);
    CheckAxis(c, "n (16-channel units)", td.n1, td.n_dim, td.n_per_block);
    CheckAxis(c, "m units", m_units, td.m_dim, td.m_per_block);

    c.Eq("L0: m_l0 % 16", td.m_l0 % kM0, 0);
    c.Eq("L0: n_l0 % 16", td.n_l0 % kN0, 0);
    c.Eq("L0: k_l0 % 32", td.k_l0 % kK0, 0);
    c.Ge("L0: m_l0", td.m_l0, kM0);
    c.Ge("L0: n_l0", td.n_l0, kN0);
    c.Ge("L0: k_l0", td.k_l0, kK0);
    c.Le("L0: Mmad m: m_l0", td.m_l0, kMmadMaxMN);
    c.Le("L0: Mmad n: n_l0", td.n_l0, kMmadMaxMN);
    c.Le("L0: Mmad k: k_l0", td.k_l0, kMmadMaxK);
    c.Le("L0A: (l0a_buffers + zero-point tile) * m_l0 * k_l0 (cube_buffers::L0ABytes)",
         cube_buffers::L0ABytes(td.l0a_buffers, td.offset_x_zero_point, td.m_l0, td.k_l0), soc.l0a_bytes);
    c.Le("L0B: l0b_buffers * k_l0 * n_l0 (cube_buffers::L0BBytes)", cube_buffers::L0BBytes(td.l0b_buffers, td.k_l0, td.n_l0),
         soc.l0b_bytes);
    c.Le("L0C: l0c_buffers * m_l0 * n_l0 * 4 (cube_buffers::L0CBytes)",
         cube_buffers::L0CBytes(td.l0c_buffers, td.m_l0, td.n_l0), soc.l0c_bytes);
    for (uint32_t buffers : {td.l0a_buffers, td.l0b_buffers, td.l0c_buffers, td.fmap_l1_buffers, td.weight_l1_buffers,
                             td.ub_buffers}) {
        c.Require(buffers == 1 || buffers == 2, "buffers: every buffer count in {1, 2}", buffers, "in", 2);
    }

    const uint64_t chunk_k = static_cast<uint64_t>(td.c1_per_chunk) * td.kh_per_chunk * td.kw_per_chunk * kK0;
    c.Require(td.kh_per_chunk == td.kh || td.c1_per_chunk == 1, "K: chunk of whole kernel rows or one channel group",
              td.c1_per_chunk, "==", 1);
    c.Require(td.kw_per_chunk == td.kw || (td.c1_per_chunk == 1 && td.kh_per_chunk == 1),
              "K: chunk of whole kernel columns or one channel group and kernel row", td.kh_per_chunk, "==", 1);
    c.Le("K: c1_per_chunk <= c1", td.c1_per_chunk, td.c1);
    c.Le("K: kh_per_chunk <= kh", td.kh_per_chunk, td.kh);
    c.Le("K: kw_per_chunk <= kw", td.kw_per_chunk, td.kw);
    c.Eq("K: k_chunks", td.k_chunks,
         CeilDiv(td.c1, td.c1_per_chunk) * CeilDiv(td.kh, td.kh_per_chunk) * CeilDiv(td.kw, std::max(td.kw_per_chunk, 1u)));
    if (td.kw_per_chunk >= 1 && td.kw_per_chunk < td.kw && td.m_tile_mode == kMTileAcrossRows) {
        for (uint32_t begin = 0; begin < td.kw; begin += td.kw_per_chunk) {
            if (!schedule::ColumnWindowHasData(td, begin, std::min(td.kw_per_chunk, td.kw - begin))) {
                c.Require(false, "K: across-rows column chunk touches the input", begin, "<", td.kw);
                break;
            }
        }
    }
    c.Le("Load3D: chunk K <= load3d_k_limit (kStartPt, kExtension, channelSize: 16-bit)", chunk_k, soc.load3d_k_limit);
    c.Le("K: k_l0 <= chunk K", td.k_l0, chunk_k);
    const SlabExtent slab = WorstSlab(p, td.npu_arch, static_cast<QuantConv2dMTileMode>(td.m_tile_mode), td.m_l0,
                                      td.kh_per_chunk, td.kw_per_chunk);
    c.Le("Load3D: l1H: slab rows", slab.rows, kLoad3dMaxL1Extent);
    c.Le("Load3D: l1W: slab cols", slab.cols, kLoad3dMaxL1Extent);
    c.Ge(kFmapSlabBoundRule, td.fmap_l1_bytes, WorstFmapSlabBytes(td));
    c.Ge("L1: weight slab: weight_l1_bytes >= chunk K/32 * n_l0/16 * 512", td.weight_l1_bytes,
         cube_buffers::WeightSlabBytes(chunk_k / kK0, td.n_l0));
    c.Le("L1: fmap_buffers * fmap + weight_buffers * weight (cube_buffers::L1Bytes)",
         cube_buffers::L1Bytes(td.fmap_l1_buffers, td.fmap_l1_bytes, td.weight_l1_buffers, td.weight_l1_bytes),
         soc.l1_bytes);
    c.Eq("L1: weight_resident only with one chunk", td.weight_resident != 0 && td.k_chunks != 1, 0);
    if (td.k_dim > 1) {
        // K slices (schedule.h): each slice a non-empty run of chunks, on 2201 (partials in ws.acc, read after a
        // hard SyncAll), every tile of a block in its own acc slot (no ring reuse), one image per tile.
        c.Eq("K slices: only on arch 2201", td.npu_arch, schedule::kArchSplit);
        c.Ge("K slices: k_chunks_per_block", td.k_chunks_per_block, 1);
        c.Ge("coverage: K slices * chunks per slice cover the chunks", Wide(td.k_dim) * td.k_chunks_per_block, td.k_chunks);
        c.Le("K slices: last slice not idle: (k_dim - 1) * chunks per slice < k_chunks",
             Wide(td.k_dim - 1) * td.k_chunks_per_block + 1, td.k_chunks);
        c.Le("K slices: one image per tile", schedule::ImagesPerTile(td), 1);
        if (td.batch_dim * td.n_dim * td.m_dim != 0) {
            c.Le("K slices: every tile of a block has its own acc slot",
                 schedule::GetBlockWork(td, 0).tiles, td.acc_slots);
        }
    }
    if (td.m_images > 1) {
        c.Eq("m_images: > 1 only on arch 2201, across rows, whole images per block",
             td.npu_arch != 2201 || td.m_tile_mode != kMTileAcrossRows || td.m_dim != 1, 0);
        c.Le("m_images: m_images <= batch_per_block", td.m_images, td.batch_per_block);
        c.Le("m_images: m_images * ImageRowPitch <= m_l0", uint64_t{td.m_images} * schedule::ImageRowPitch(td), td.m_l0);
    }
    c.Le("layout: layout_fmap_run <= vector_ub::LayoutFmapRun", td.layout_fmap_run, vector_ub::LayoutFmapRun(td.npu_arch == 2002));
    c.Eq("layout: layout_fmap_run only for the img2col path's fmap items on arch 2201",
         td.layout_fmap_run != 0 && (td.npu_arch != 2201 || td.fmap_path != kFmapImg2col), 0);
    c.Le("prefetch: prefetch_weight_rows <= the first chunk's K rows", td.prefetch_weight_rows,
         static_cast<uint64_t>(td.c1_per_chunk) * td.kh_per_chunk * td.kw_per_chunk);
    c.Eq("prefetch: prefetch_weight_rows only for a FRACTAL_Z filter read by the cube behind a layout phase (2201)",
         td.prefetch_weight_rows != 0 &&
             (td.npu_arch != 2201 || schedule::CubeWeightInWorkspace(td) ||
              !schedule::HasLayoutPhase(td)),
         0);

    c.Eq("UB: ub_m % 16", td.ub_m % kM0, 0);
    c.Eq("UB: ub_n % 16", td.ub_n % kN0, 0);
    c.Le("UB: ub_m <= m_l0", td.ub_m, td.m_l0);
    c.Le("UB: ub_n <= n_l0", td.ub_n, td.n_l0);
    c.Ge("UB: ub_m", td.ub_m, kM0);
    c.Ge("UB: ub_n", td.ub_n, kN0);
    c.Eq("UB: ub_bytes", td.ub_bytes, UbBytes(soc, td.m_l0, td.n_l0, schedule::KSlices(td)));
    c.Le("UB: ub_bytes <= the SoC's UB", td.ub_bytes, soc.ub_bytes);

    c.Ge("acc: acc_slots", td.acc_slots, 1);
    c.Le("acc: acc_slots", td.acc_slots, kMaxAccSlots);
    c.Eq("acc: acc_slot_bytes", td.acc_slot_bytes, static_cast<uint64_t>(td.m_l0) * td.n_l0 * 4);
    c.Eq("workspace: fmap bytes", td.ws_fmap_bytes, p.fmap_direct ? 0 : Wide(td.batch) * td.c1 * td.hin * td.win * kK0);
    if (p.fmap_direct) {
        c.Require(DirectGemmEligible(p, td.npu_arch), "direct GEMM: fmap path 1x1, stride 1, no padding, Cin % 32 == 0, "
                  "arch 2201, H * W <= 65535", td.npu_arch, "==", schedule::kArchSplit);
        c.Eq("direct GEMM: m_l0 % 32 (LoadDataWithTranspose squares)", td.m_l0 % 32, 0);
        c.Eq("direct GEMM: across-rows M tiles", td.m_tile_mode, kMTileAcrossRows);
        c.Le("direct GEMM: ND2NZ nValue = c1_per_chunk * 32", uint64_t{td.c1_per_chunk} * kK0, 16384);
        c.Le("direct GEMM: LoadDataWithTranspose repeatTimes = k_l0 / 32", td.k_l0 / kK0, 255);
    }
    c.Eq("workspace: weight bytes", td.ws_weight_bytes, p.weight_prepacked ? 0 : Wide(p.k_fracs) * td.n1 * kFractalBytes);
    if (td.fmap_path == kFmapKwPacked) {
        // The packed conv of KwPackedShape: one channel group of kw * Cin taps, a 1-wide kernel over Wo columns.
        ConvShape caller;
        caller.cin = td.kw_pack_cin, caller.win = td.kw_pack_win, caller.hin = td.hin, caller.kh = td.kh;
        caller.kw = td.kw_pack_kw, caller.stride_w = td.kw_pack_stride_w, caller.pad_w = td.kw_pack_pad_w;
        caller.dilation_w = td.kw_pack_dilation_w, caller.stride_h = td.stride_h, caller.pad_h = td.pad_h;
        caller.dilation_h = td.dilation_h, caller.batch = td.batch, caller.cout = td.cout;
        c.Require(KwPackEligible(caller), "kw-packed: kw * Cin <= 32, kw > 1 and the layout fits phase 1's UB",
                  uint64_t{td.kw_pack_kw} * td.kw_pack_cin, "<=", kK0);
        c.Eq("kw-packed: cin = kw * Cin", td.cin, uint64_t{td.kw_pack_kw} * td.kw_pack_cin);
        c.Eq("kw-packed: win = Wo", td.win, td.wout);
        c.Eq("kw-packed: Wo of the caller's conv", td.wout, static_cast<uint64_t>(OutputW(caller)));
        c.Eq("kw-packed: kw", td.kw, 1);
        c.Eq("kw-packed: stride_w", td.stride_w, 1);
        c.Eq("kw-packed: pad_w", td.pad_w, 0);
        c.Eq("kw-packed: dilation_w", td.dilation_w, 1);
    }
    if (td.fmap_path == kFmapSubsampled) {
        // The 1x1 stride-1 conv of SubsampledShape over the kept positions of the caller's x (subsample fields).
        ConvShape caller;
        caller.batch = td.batch, caller.cin = td.cin, caller.cout = td.cout, caller.kh = 1, caller.kw = 1;
        caller.hin = td.subsample_hin, caller.win = td.subsample_win;
        caller.stride_h = td.subsample_stride_h, caller.stride_w = td.subsample_stride_w;
        caller.pad_h = 0, caller.pad_w = 0, caller.dilation_h = 1, caller.dilation_w = 1;
        c.Require(SubsampleEligible(caller, td.npu_arch),
                  "subsampled path: 1x1, pad 0, a stride > 1 and a row of a channel group fits phase 1's UB",
                  uint64_t{td.subsample_stride_h} * td.subsample_stride_w, ">", 1);
        c.Eq("subsampled path: hin = Ho of the caller's conv", td.hin, static_cast<uint64_t>(OutputH(caller)));
        c.Eq("subsampled path: win = Wo of the caller's conv", td.win, static_cast<uint64_t>(OutputW(caller)));
        c.Eq("subsampled path: hout = hin", td.hout, td.hin);
        c.Eq("subsampled path: wout = win", td.wout, td.win);
        c.Eq("subsampled path: kh * kw", uint64_t{td.kh} * td.kw, 1);
        c.Eq("subsampled path: stride_h * stride_w", uint64_t{td.stride_h} * td.stride_w, 1);
        c.Eq("subsampled path: pad_h + pad_w", uint64_t{td.pad_h} + td.pad_w, 0);
        c.Le("subsampled path: rows per item <= Ho", td.subsample_rows, td.hout);
        c.Le("subsampled path: groups per item <= C1", td.subsample_groups, td.c1);
        const bool coupled = soc.topology == CoreTopology::kCoupled;
        c.Le("subsampled path: item kind", td.subsample_kind, kSubsampleSpans);
        if (td.subsample_kind == kSubsamplePlanes) {
            c.Eq("subsampled path: whole-plane items hold every row", td.subsample_rows, td.hout);
            c.Require(vector_ub::SubsamplePlanesFit(coupled, td.subsample_hin * td.subsample_win, td.hout * td.wout,
                                                    td.subsample_groups),
                      "subsampled path: a whole-plane item fits phase 1's UB (vector_ub::SubsamplePlanesFit)",
                      td.subsample_groups, ">=", 1);
        } else if (td.subsample_kind == kSubsampleSpans) {
            const uint32_t pitch = vector_ub::SubsampleSpanPitch(td.subsample_rows, td.subsample_stride_h * td.subsample_win,
                                                                 td.wout, td.subsample_stride_w);
            c.Require(vector_ub::SubsampleSpansFit(coupled, std::min(td.cin, 32u), std::min(td.subsample_groups * 32, td.cin),
                                                   pitch, td.wout, td.subsample_rows, td.subsample_groups),
                      "subsampled path: a span item fits phase 1's UB (vector_ub::SubsampleSpansFit)",
                      uint64_t{td.subsample_rows} * td.subsample_groups, ">=", 1);
        } else {
            c.Require(vector_ub::SubsampleItemFits(coupled, td.wout, td.subsample_stride_w, td.subsample_rows,
                                                   td.subsample_groups),
                      "subsampled path: an item fits phase 1's UB (vector_ub::SubsampleItemFits)",
                      uint64_t{td.subsample_rows} * td.subsample_groups, ">=", 1);
        }
    }
    const bool coupled = soc.topology == CoreTopology::kCoupled;
    c.Eq("workspace: acc bytes", td.ws_acc_bytes, coupled ? 0 : Wide(td.block_dim) * td.acc_slots * td.acc_slot_bytes);
    c.Ge("workspace: sync bytes (2002: 32 per block)", td.ws_sync_bytes,
         coupled ? Wide(td.block_dim) * vector_ub::kSoftSyncBytesPerCore : 0);
    c.Eq("workspace: fmap offset % 512", td.ws_fmap_offset % kWorkspaceAlign, 0);
    c.Eq("workspace: weight offset % 512", td.ws_weight_offset % kWorkspaceAlign, 0);
    c.Eq("workspace: acc offset % 512", td.ws_acc_offset % kWorkspaceAlign, 0);
    c.Eq("workspace: sync offset % 512", td.ws_sync_offset % kWorkspaceAlign, 0);
    // In this order, so disjoint; every end offset within int64 (the kernel's GM offsets).
    const Wide fmap_end = Wide(td.ws_fmap_offset) + td.ws_fmap_bytes;
    const Wide weight_end = Wide(td.ws_weight_offset) + td.ws_weight_bytes;
    const Wide acc_end = Wide(td.ws_acc_offset) + td.ws_acc_bytes;
    const Wide sync_end = Wide(td.ws_sync_offset) + td.ws_sync_bytes;
    c.Le("workspace: regions in order: fmap end <= weight", fmap_end, td.ws_weight_offset);
    c.Le("workspace: regions in order: weight end <= acc", weight_end, td.ws_acc_offset);
    c.Le("workspace: regions in order: acc end <= sync", acc_end, td.ws_sync_offset);
    c.Le("workspace: sync end <= total", sync_end, td.ws_total_bytes);
    c.Le("workspace: total fits int64", td.ws_total_bytes, kInt64Max);
    if (!coupled && td.block_dim > 0 && td.acc_slots > 0) {
        c.Le("acc: the last ring slot ends within the acc region",
             Wide(schedule::AccSlotOffset(td, td.block_dim - 1, td.acc_slots - 1)) + td.acc_slot_bytes, acc_end);
    }
    c.Le("GM: x bytes fit int64", Wide(td.batch) * td.cin * td.hin * td.win, kInt64Max);
    c.Le("GM: y bytes fit int64", Wide(td.batch) * td.cout * td.hout * td.wout * 2, kInt64Max);
    return c.Take();
}

}  // namespace qconv::tiling
