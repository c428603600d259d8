// Search: for each M tiling mode, each (m_l0, n_l0) from kTileSizes that fits L0 (l0_tiling), L1
// (l1_tiling) and UB (ub_tiling), and each normalised block split (block_split), shrink the tiles to the block
// (ShrinkToBlock: priced as it runs), score the busiest block with the cost model and keep the cheapest. Ties
// (within 0.1 %) go to fewer GM->L1 bytes, then fewer blocks.
#include "op_host/tiling/tiling_engine.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "op_host/tiling/block_split.h"
#include "op_host/tiling/cost_model.h"
#include "op_host/tiling/l0_tiling.h"
#include "op_host/tiling/l1_tiling.h"
#include "op_host/tiling/layout_items.h"
#include "op_host/tiling/prefetch.h"
#include "op_host/tiling/subsample_items.h"
#include "op_host/tiling/tiling_budgets.h"
#include "op_host/tiling/ub_tiling.h"
#include "op_host/tiling/workspace.h"
#include "op_kernel/cube_buffer_budget.h"

namespace qconv::tiling {
namespace {

// Tile edges tried along M and N: powers of two and their 1.5x, so tails of common sizes (48, 96, 192 ...)
// are not padded to the next power of two.
constexpr uint32_t kTileSizes[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024};

// The candidate sizes up to `cap` (a multiple of 16), plus `cap` itself when it is not in the list.
std::vector<uint32_t> SizesUpTo(uint64_t cap) {
    std::vector<uint32_t> sizes;
    for (uint32_t s : kTileSizes) {
        if (s < cap) {
            sizes.push_back(s);
        }
    }
    const uint64_t last = std::min<uint64_t>(cap, kTileSizes[std::size(kTileSizes) - 1]);
    if (sizes.empty() || sizes.back() != last) {
        sizes.push_back(static_cast<uint32_t>(last));
    }
    return sizes;
}

// The tallest tile of several whole images: the largest tile edge tried along M.
constexpr uint64_t kMultiImageMaxRows = kTileSizes[std::size(kTileSizes) - 1];

// m_l0 granule: 16 positions (one fractal row block), 32 on the direct GEMM path (a LoadDataWithTranspose
// square covers 32 positions).
uint64_t MTileAlign(const Problem& p) { return p.fmap_direct ? 32 : kM0; }

// k_slices > 1: K slices (quant_conv2d_schedule.h) of chunks of at most ceil(c1 / k_slices) channel groups; false
// when the chunks do not make exactly k_slices non-empty slices.
bool PlanLevels(const Problem& p, const SocSpec& soc, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t n_l0,
                uint32_t k_slices, TilePlan* plan) {
    plan->mode = mode;
    const uint32_t max_c1 = k_slices > 1 ? static_cast<uint32_t>(CeilDiv(p.c1, k_slices)) : p.c1;
    if (!PlanL0(soc, m_l0, n_l0, p.zero_point_const_a ? 1 : 0, &plan->l0) ||
        !PlanL1(p, soc, mode, m_l0, n_l0, plan->m_images, max_c1, &plan->l1) ||
        !PlanUb(soc, plan->l0, k_slices, &plan->ub)) {
        return false;
    }
    plan->split.k_dim = 1;
    plan->split.k_chunks_per_block = 0;
    if (k_slices > 1) {
        const uint32_t per_slice = static_cast<uint32_t>(CeilDiv(plan->l1.k_chunks, k_slices));
        if (CeilDiv(plan->l1.k_chunks, per_slice) != k_slices) {
            return false;
        }
        plan->split.k_dim = k_slices;
        plan->split.k_chunks_per_block = per_slice;
    }
    plan->l0.k_l0 = static_cast<uint32_t>(std::min<uint64_t>(plan->l0.k_l0, plan->l1.chunk_k));
    return true;
}

bool Better(const CostTerms& a, const TilePlan& pa, const CostTerms& b, const TilePlan& pb) {
    if (a.total_cycles < b.total_cycles * 0.999) return true;
    if (b.total_cycles < a.total_cycles * 0.999) return false;
    const double bytes_a = a.gm_to_l1_bytes + a.l2_reread_bytes;
    const double bytes_b = b.gm_to_l1_bytes + b.l2_reread_bytes;
    if (bytes_a != bytes_b) return bytes_a < bytes_b;
    return pa.split.blocks() < pb.split.blocks();
}

// Tiles no larger than the busiest block needs: the same tile grid, smaller buffers and acc slots.
void ShrinkToBlock(const Problem& p, const SocSpec& soc, TilePlan* plan) {
    if (plan->m_images > 1) {
        return;  // its m_l0 is m_images image pitches, chosen for the block's images
    }
    uint64_t m_cap = AlignUp(p.wout, kM0);
    if (plan->mode == kMTileAcrossRows) {
        m_cap = AlignUp(std::min<uint64_t>(static_cast<uint64_t>(plan->split.m_per_block) * kM0, p.positions),
                        MTileAlign(p));
    }
    const uint64_t n_cap = static_cast<uint64_t>(plan->split.n_per_block) * kN0;
    const uint32_t m_l0 = static_cast<uint32_t>(std::min<uint64_t>(plan->l0.m_l0, m_cap));
    const uint32_t n_l0 = static_cast<uint32_t>(std::min<uint64_t>(plan->l0.n_l0, n_cap));
    TilePlan shrunk = *plan;
    if ((m_l0 != plan->l0.m_l0 || n_l0 != plan->l0.n_l0) &&
        PlanLevels(p, soc, plan->mode, m_l0, n_l0, plan->split.k_dim, &shrunk)) {
        *plan = shrunk;
    }
}

uint64_t TilesPerBlock(const Problem& p, const TilePlan& plan) {
    const BlockSplit& s = plan.split;
    const uint64_t images = CeilDiv(std::min(s.batch_per_block, p.batch), plan.m_images);
    const uint64_t n_tiles = CeilDiv(std::min<uint64_t>(static_cast<uint64_t>(s.n_per_block) * kN0, p.cout), plan.l0.n_l0);
    uint64_t m_tiles = 0;
    if (plan.mode == kMTileInRow) {
        m_tiles = std::min(s.m_per_block, p.hout) * CeilDiv(p.wout, plan.l0.m_l0);
    } else {
        m_tiles = CeilDiv(std::min<uint64_t>(static_cast<uint64_t>(s.m_per_block) * kM0, p.positions), plan.l0.m_l0);
    }
    return images * n_tiles * m_tiles;
}

QuantConv2dTilingData Fill(const ConvShape& shape, const Problem& p, const SocSpec& soc, const TilePlan& plan,
                           uint32_t acc_slots, const WorkspaceLayout& ws) {
    QuantConv2dTilingData td{};
    td.weight_format = static_cast<uint32_t>(shape.weight_format);
    td.offset_x_zero_point = p.zero_point_const_a ? 1 : 0;
    td.fmap_path = p.fmap_direct ? kFmapDirectGemm : kFmapImg2col;
#define QCONV_TO_POD(field) td.field = p.field;
    QCONV_TILING_GEOMETRY_FIELDS(QCONV_TO_POD)
#undef QCONV_TO_POD
    td.offset_x = static_cast<int32_t>(shape.offset_x);
    td.has_bias = shape.has_bias ? 1 : 0;
    td.scale_kind = static_cast<uint32_t>(shape.scale_kind);
    td.npu_arch = soc.npu_arch;

    td.block_dim = plan.split.blocks();
    td.batch_dim = plan.split.batch_dim;
    td.n_dim = plan.split.n_dim;
    td.m_dim = plan.split.m_dim;
    td.batch_per_block = plan.split.batch_per_block;
    td.n_per_block = plan.split.n_per_block;
    td.m_per_block = plan.split.m_per_block;
    td.m_units = plan.m_units;
    td.m_tile_mode = plan.mode;
    td.m_images = plan.m_images;
    td.k_dim = plan.split.k_dim;
    td.k_chunks_per_block = plan.split.k_chunks_per_block;

    td.m_l0 = plan.l0.m_l0;
    td.n_l0 = plan.l0.n_l0;
    td.k_l0 = plan.l0.k_l0;
    td.l0a_buffers = plan.l0.l0a_buffers;
    td.l0b_buffers = plan.l0.l0b_buffers;
    td.l0c_buffers = plan.l0.l0c_buffers;

    td.c1_per_chunk = plan.l1.c1_per_chunk;
    td.kh_per_chunk = plan.l1.kh_per_chunk;
    td.kw_per_chunk = plan.l1.kw_per_chunk;
    td.k_chunks = plan.l1.k_chunks;
    td.fmap_l1_bytes = static_cast<uint32_t>(plan.l1.fmap_slab_bytes);
    td.weight_l1_bytes = static_cast<uint32_t>(plan.l1.weight_slab_bytes);
    td.fmap_l1_buffers = plan.l1.fmap_buffers;
    td.weight_l1_buffers = plan.l1.weight_buffers;
    td.weight_resident = plan.l1.weight_resident ? 1 : 0;

    td.acc_slots = acc_slots;
    td.ub_m = plan.ub.ub_m;
    td.ub_n = plan.ub.ub_n;
    td.ub_buffers = plan.ub.ub_buffers;
    td.ub_bytes = static_cast<uint32_t>(plan.ub.ub_bytes);

    td.ws_fmap_offset = ws.fmap_offset;
    td.ws_fmap_bytes = ws.fmap_bytes;
    td.ws_weight_offset = ws.weight_offset;
    td.ws_weight_bytes = ws.weight_bytes;
    td.ws_acc_offset = ws.acc_offset;
    td.ws_acc_bytes = ws.acc_bytes;
    td.acc_slot_bytes = ws.acc_slot_bytes;
    td.ws_total_bytes = ws.total_bytes;
    td.ws_sync_offset = ws.sync_offset;
    td.ws_sync_bytes = ws.sync_bytes;
    return td;
}

TilingReport Report(const SocSpec& soc, const TilePlan& plan, const QuantConv2dTilingData& td, const CostTerms& cost) {
    TilingReport r;
    r.l1 = {cube_buffers::L1Bytes(td.fmap_l1_buffers, td.fmap_l1_bytes, td.weight_l1_buffers, td.weight_l1_bytes),
            soc.l1_bytes};
    r.l0a = {cube_buffers::L0ABytes(td.l0a_buffers, td.offset_x_zero_point, td.m_l0, td.k_l0), soc.l0a_bytes};
    r.l0b = {cube_buffers::L0BBytes(td.l0b_buffers, td.k_l0, td.n_l0), soc.l0b_bytes};
    r.l0c = {cube_buffers::L0CBytes(td.l0c_buffers, td.m_l0, td.n_l0), soc.l0c_bytes};
    r.ub = {plan.ub.ub_bytes, soc.ub_bytes};
    r.workspace_bytes = td.ws_total_bytes;
    r.cost = cost;
    return r;
}

// The search for the conv the cube runs. `direct_allowed`: false when phase 1 builds that conv's input in ws.fmap
// (kw-packed, subsampled), so the cube must img2col it rather than read x.
TilingResult Search(const ConvShape& shape, const SocSpec& soc, bool direct_allowed);

}  // namespace

TilingResult ComputeTiling(const ConvShape& shape, const SocSpec& soc) {
    MakeProblem(shape);  // validates the caller's shape, packed, subsampled or not
    if (KwPackEligible(shape)) {
        // The cube runs the packed conv; phase 1 builds its input and filter from the caller's (kw_pack fields).
        TilingResult packed = Search(KwPackedShape(shape), soc, false);
        QuantConv2dTilingData& td = packed.data;
        td.fmap_path = kFmapKwPacked;
        td.layout_fmap_run = 0;  // phase 1's items are the caller's rows (vector_ub::KwPackRowsFit)
        td.weight_format = static_cast<uint32_t>(shape.weight_format);
        td.kw_pack_cin = static_cast<uint32_t>(shape.cin);
        td.kw_pack_win = static_cast<uint32_t>(shape.win);
        td.kw_pack_kw = static_cast<uint32_t>(shape.kw);
        td.kw_pack_stride_w = static_cast<uint32_t>(shape.stride_w);
        td.kw_pack_pad_w = static_cast<uint32_t>(shape.pad_w);
        td.kw_pack_dilation_w = static_cast<uint32_t>(shape.dilation_w);
        const std::vector<std::string> violations = BudgetViolations(td, soc);
        if (!violations.empty()) {
            throw std::runtime_error("tiling: internal error, the kw-packed tiling breaks a budget: " + violations.front());
        }
        return packed;
    }
    if (SubsampleEligible(shape, soc.npu_arch)) {
        // The cube runs the 1x1 stride-1 conv on the kept positions; phase 1 lays them out from the caller's x.
        TilingResult sub = Search(SubsampledShape(shape), soc, false);
        QuantConv2dTilingData& td = sub.data;
        td.fmap_path = kFmapSubsampled;
        td.layout_fmap_run = 0;  // phase 1's items are subsample_kind's (subsample_items.h)
        td.subsample_hin = static_cast<uint32_t>(shape.hin);
        td.subsample_win = static_cast<uint32_t>(shape.win);
        td.subsample_stride_h = static_cast<uint32_t>(shape.stride_h);
        td.subsample_stride_w = static_cast<uint32_t>(shape.stride_w);
        const uint32_t vector_cores = td.block_dim * (soc.topology == CoreTopology::kCoupled ? 1 : soc.vector_per_cube);
        const SubsampleItems items = ChooseSubsampleItems(shape, soc, vector_cores);
        td.subsample_rows = items.rows;
        td.subsample_groups = items.groups;
        td.subsample_kind = items.kind;
        const std::vector<std::string> violations = BudgetViolations(td, soc);
        if (!violations.empty()) {
            throw std::runtime_error("tiling: internal error, the subsampled tiling breaks a budget: " + violations.front());
        }
        return sub;
    }
    return Search(shape, soc, true);
}

namespace {

TilingResult Search(const ConvShape& shape, const SocSpec& soc, bool direct_allowed) {
    Problem p = MakeProblem(shape);
    p.zero_point_const_a = soc.offset_x_zero_point && shape.offset_x != 0;
    // The direct GEMM path removes the layout pass and ws.fmap: taken whenever the shape allows it.
    p.fmap_direct = direct_allowed && DirectGemmEligible(p, soc.npu_arch);
    if (soc.cube_cores == 0 || soc.clock_ghz <= 0 || soc.gm_bytes_per_cycle_per_core <= 0 ||
        soc.l1_to_l0a_bytes_per_cycle == 0 || soc.l1_to_l0b_bytes_per_cycle == 0) {
        throw std::invalid_argument(std::string("tiling: SoC '") + soc.name + "' lacks core count or rates");
    }

    TilePlan best;
    CostTerms best_cost;
    bool found = false;
    uint64_t evaluated = 0;
    for (QuantConv2dMTileMode mode : {kMTileAcrossRows, kMTileInRow}) {
        if (p.fmap_direct && mode != kMTileAcrossRows) {
            continue;  // positions are contiguous in x: runs across rows only
        }
        const uint64_t m_units = mode == kMTileInRow ? p.hout : CeilDiv(p.positions, kM0);
        const uint64_t m_cap = mode == kMTileInRow ? AlignUp(p.wout, kM0) : AlignUp(p.positions, MTileAlign(p));
        const std::vector<BlockSplit> splits =
            EnumerateBlockSplits(p.batch, p.n1, static_cast<uint32_t>(m_units), soc.cube_cores);
        // (m_l0, whole images per tile): tiles inside one image, and on arch 2201 across rows tiles of k whole
        // images (m_l0 = k image pitches) for outputs so small that one image leaves the cube's L0B and the
        // weight's L1 traffic per row high.
        std::vector<std::pair<uint32_t, uint32_t>> m_choices;
        for (uint32_t m_l0 : SizesUpTo(m_cap)) {
            if (!p.fmap_direct || m_l0 % 32 == 0) {  // direct GEMM: L0A is filled in 32 x 32 squares
                m_choices.push_back({m_l0, 1});
            }
        }
        if (mode == kMTileAcrossRows && soc.topology == CoreTopology::kSplit) {
            const uint64_t pitch = AlignUp(p.positions, MTileAlign(p));
            for (uint32_t k = 2; k <= p.batch && k * pitch <= kMultiImageMaxRows; ++k) {
                m_choices.push_back({static_cast<uint32_t>(k * pitch), k});
            }
        }
        for (const auto& [m_l0, m_images] : m_choices) {
            for (uint32_t n_l0 : SizesUpTo(static_cast<uint64_t>(p.n1) * kN0)) {
                // K slices only where partials can wait in ws.acc for the second barrier: 2201, one image per tile.
                const uint32_t max_slices =
                    soc.topology == CoreTopology::kSplit && m_images == 1 ? std::min(p.c1, soc.cube_cores) : 1;
                for (uint32_t k_slices = 1; k_slices <= max_slices; ++k_slices) {
                    TilePlan plan;
                    plan.m_units = static_cast<uint32_t>(m_units);
                    plan.m_images = m_images;
                    if (!PlanLevels(p, soc, mode, m_l0, n_l0, k_slices, &plan)) {
                        continue;
                    }
                    for (const BlockSplit& split : splits) {
                        if (m_images > 1 && (split.m_dim != 1 || split.batch_per_block < m_images)) {
                            continue;  // a block must own whole images, at least a tile's worth
                        }
                        if (split.blocks() * k_slices > soc.cube_cores) {
                            continue;
                        }
                        const BlockSplit sliced = plan.split;
                        plan.split = split;
                        plan.split.k_dim = sliced.k_dim;
                        plan.split.k_chunks_per_block = sliced.k_chunks_per_block;
                        if (k_slices > 1 && TilesPerBlock(p, plan) > kMaxAccSlots) {
                            continue;  // every tile of a sliced block keeps its partial until the barrier
                        }
                        TilePlan shrunk = plan;
                        ShrinkToBlock(p, soc, &shrunk);
                        const CostTerms cost = ModelCost(p, soc, shrunk);
                        ++evaluated;
                        if (!found || Better(cost, shrunk, best_cost, best)) {
                            best = shrunk;
                            best_cost = cost;
                            found = true;
                        }
                    }
                }
            }
        }
    }
    if (!found) {
        throw std::runtime_error(std::string("tiling: no tiling of this shape fits the buffers of ") + soc.name);
    }

    const CostTerms cost = ModelCost(p, soc, best);
    const uint64_t tiles = TilesPerBlock(p, best);
    const uint32_t acc_slots = ChooseAccSlots(soc, tiles);
    const WorkspaceLayout ws = PlanWorkspace(p, soc, best.l0.m_l0, best.l0.n_l0, best.split.blocks(), acc_slots);

    TilingResult result;
    result.data = Fill(shape, p, soc, best, acc_slots, ws);
    result.data.layout_fmap_run = LayoutFmapRunFor(result.data, soc);
    result.data.prefetch_weight_rows = PrefetchWeightRows(result.data, soc);
    result.report = Report(soc, best, result.data, cost);
    result.report.tiles_per_block = tiles;
    result.report.candidates_evaluated = evaluated;

    const std::vector<std::string> violations = BudgetViolations(result.data, soc);
    if (!violations.empty()) {
        throw std::runtime_error("tiling: internal error, the chosen tiling breaks a budget: " + violations.front());
    }
    return result;
}

}  // namespace
}  // namespace qconv::tiling
