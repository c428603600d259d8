#include "op_host/tiling/cost_model.h"

#include <algorithm>

#include "op_host/tiling/l1_tiling.h"

namespace qconv::tiling {
namespace {

struct BlockShape {
    double images = 0;
    double positions = 0;     // Mb
    double m_fracs = 0;       // sum over m tiles of ceil(m_len / 16)
    double m_tiles = 0;
    double channels = 0;      // Nb
    double n_fracs = 0;       // ceil(Nb / 16)
    double n_tiles = 0;
    double avg_tile_m = 0;    // positions per m tile
};

BlockShape BusiestBlock(const Problem& p, const TilePlan& plan) {
    BlockShape b;
    const BlockSplit& s = plan.split;
    b.images = std::min<uint32_t>(s.batch_per_block, p.batch);
    b.channels = static_cast<double>(std::min<uint64_t>(static_cast<uint64_t>(s.n_per_block) * kN0, p.cout));
    b.n_fracs = static_cast<double>(CeilDiv(static_cast<uint64_t>(b.channels), kN0));
    b.n_tiles = static_cast<double>(CeilDiv(static_cast<uint64_t>(b.channels), plan.l0.n_l0));
    if (plan.mode == kMTileInRow) {
        const double rows = std::min<uint32_t>(s.m_per_block, p.hout);
        b.positions = rows * p.wout;
        b.m_tiles = rows * static_cast<double>(CeilDiv(p.wout, plan.l0.m_l0));
        b.m_fracs = rows * static_cast<double>(CeilDiv(p.wout, kM0));
    } else {
        const uint64_t positions = std::min<uint64_t>(static_cast<uint64_t>(s.m_per_block) * kM0, p.positions);
        b.positions = static_cast<double>(positions);
        b.m_tiles = static_cast<double>(CeilDiv(positions, plan.l0.m_l0));
        b.m_fracs = static_cast<double>(CeilDiv(positions, kM0));
    }
    b.avg_tile_m = b.positions / b.m_tiles;
    return b;
}

// Average fmap bytes one tile loads over all its K chunks.
double FmapBytesPerTile(const Problem& p, const TilePlan& plan, double avg_tile_m) {
    const L1Plan& l1 = plan.l1;
    const double kernel_rows = (static_cast<double>(l1.kh_per_chunk) - 1) * p.dilation_h + 1;
    const double kernel_cols = (static_cast<double>(l1.kw_per_chunk) - 1) * p.dilation_w + 1;
    double rows = 0;
    double cols = 0;
    if (plan.mode == kMTileInRow) {
        rows = std::min<double>(p.hin, kernel_rows);
        cols = std::min<double>(p.win, (avg_tile_m - 1) * p.stride_w + kernel_cols);
    } else {
        const double spanned = std::min<double>(p.hout, 1.0 + (avg_tile_m - 1) / p.wout);
        rows = std::min<double>(p.hin, (spanned - 1) * p.stride_h + kernel_rows);
        cols = static_cast<double>(AcrossRowsSlabCols(p, l1.kw_per_chunk));
    }
    const double row_groups = static_cast<double>(CeilDiv(p.kh, l1.kh_per_chunk));
    const double col_groups = static_cast<double>(CeilDiv(p.kw, l1.kw_per_chunk));
    return static_cast<double>(p.c1) * row_groups * col_groups * std::max(rows, 1.0) * std::max(cols, 1.0) * kK0;
}

}  // namespace

CostTerms ModelCost(const Problem& p, const SocSpec& soc, const TilePlan& plan) {
    CostTerms c;
    const BlockShape b = BusiestBlock(p, plan);
    const double k_fracs = static_cast<double>(p.k_fracs);
    const double tiles = b.images * b.n_tiles * b.m_tiles;

    c.macs = b.images * b.positions * b.channels * p.cin * p.kh * p.kw;
    c.cube_cycles = b.images * b.m_fracs * b.n_fracs * k_fracs;
    c.l1_to_l0a_bytes = b.images * b.n_tiles * b.m_fracs * kM0 * k_fracs * kK0;
    c.l1_to_l0b_bytes = b.images * b.m_tiles * b.n_fracs * kN0 * k_fracs * kK0;

    const double fmap_loaded = tiles * FmapBytesPerTile(p, plan, b.avg_tile_m);
    const double weight_per_n_tile = k_fracs * (b.n_fracs / b.n_tiles) * kFractalBytes;
    const double weight_loads = plan.l1.weight_resident ? b.images * b.n_tiles : tiles;
    const double weight_loaded = weight_loads * weight_per_n_tile;
    const double fmap_unique = b.images * p.c1 * kK0 * static_cast<double>(p.hin) * p.win *
                               std::min(1.0, b.positions / static_cast<double>(p.positions) + 1.0 / p.hout);
    const double weight_unique = k_fracs * b.n_fracs * kFractalBytes;
    c.gm_to_l1_bytes = std::min(fmap_loaded, fmap_unique) + std::min(weight_loaded, weight_unique);
    c.l2_reread_bytes = std::max(0.0, fmap_loaded - fmap_unique) + std::max(0.0, weight_loaded - weight_unique);

    c.out_bytes = b.images * b.m_fracs * kM0 * b.n_fracs * kN0 * 4;
    const bool coupled = soc.topology == CoreTopology::kCoupled;
    c.mte2_cycles = c.gm_to_l1_bytes / soc.gm_bytes_per_cycle_per_core +
                    c.l2_reread_bytes / std::max(soc.l2_bytes_per_cycle_per_core, soc.gm_bytes_per_cycle_per_core);
    c.mte1_cycles = c.l1_to_l0a_bytes / soc.l1_to_l0a_bytes_per_cycle + c.l1_to_l0b_bytes / soc.l1_to_l0b_bytes_per_cycle;
    c.out_cycles = c.out_bytes / (coupled ? kL0cToUbBytesPerCycle : soc.gm_bytes_per_cycle_per_core);

    const double steps_per_chunk = static_cast<double>(CeilDiv(plan.l1.chunk_k, plan.l0.k_l0));
    c.issue_cycles = tiles * (plan.l1.k_chunks * (steps_per_chunk * kIssueCyclesPerStep + kIssueCyclesPerChunk) +
                              kIssueCyclesPerTile);

    double inner = plan.l0.l0a_buffers > 1 ? std::max(c.mte1_cycles, c.cube_cycles) : c.mte1_cycles + c.cube_cycles;
    inner = plan.l0.l0c_buffers > 1 ? std::max(inner, c.out_cycles) : inner + c.out_cycles;
    const bool l1_double = plan.l1.fmap_buffers > 1 && plan.l1.weight_buffers > 1;
    c.total_cycles = (l1_double ? std::max(c.mte2_cycles, inner) : c.mte2_cycles + inner) + c.issue_cycles;
    c.time_us = c.total_cycles / (soc.clock_ghz * 1e3);
    c.cube_utilisation = c.total_cycles > 0 ? c.cube_cycles / c.total_cycles : 0;

    const double all_macs = static_cast<double>(p.batch) * static_cast<double>(p.positions) * p.cout * p.cin * p.kh * p.kw;
    c.cube_bound_us = all_macs / (static_cast<double>(soc.cube_cores) * soc.cube_int8_macs_per_cycle * soc.clock_ghz * 1e3);
    return c;
}

}  // namespace qconv::tiling
