#include "op_host/tiling/cost_model.h"

#include <algorithm>
#include <cmath>

#include "op_host/tiling/l1_tiling.h"
#include "op_host/tiling/layout_items.h"
#include "op_host/tiling/prefetch.h"
#include "op_kernel/quant_conv2d_schedule.h"

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
    double avg_tile_m = 0;    // positions per m tile (per image of a several-image tile)
    double image_groups = 0;  // ceil(images / m_images): the tiles along the batch
    double tile_images = 1;   // images per tile, on average
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
    b.image_groups = std::ceil(b.images / std::max<uint32_t>(plan.m_images, 1));
    b.tile_images = b.images / b.image_groups;
    return b;
}

// kMTileAcrossRows: input rows of one channel group's slabs over every kernel-row chunk, averaged over the m tiles
// of block 0 or block 1 (the first touches the top padding, the second, the last where m_dim is 2, is the busier one
// elsewhere), whichever holds more (schedule GetTile and GetFmapSlab: a tile's output rows, on 2002 from a
// SlabRowAlign row, times the stride, plus the chunk's kernel rows, clipped to the input). Exact where an average
// tile is not (tiles of whole output rows span no extra row, padding rows are not loaded); a block of more than
// kSlabRowSlabs slabs (tiles x kernel-row chunks) has its tiles sampled evenly, to keep the search fast.
constexpr uint64_t kSlabRowSlabs = 128;

double AcrossRowsSlabRows(const Problem& p, uint32_t npu_arch, const TilePlan& plan) {
    const uint64_t block_positions = std::min<uint64_t>(static_cast<uint64_t>(plan.split.m_per_block) * kM0, p.positions);
    const uint64_t m_l0 = std::max<uint64_t>(plan.l0.m_l0, 1);
    const uint32_t align = schedule::SlabRowAlign(npu_arch, p.wout);
    double most = 0;
    for (uint64_t block_start = 0; block_start < std::min<uint64_t>(p.positions, 2 * block_positions);
         block_start += block_positions) {
        const uint64_t block_end = std::min<uint64_t>(block_start + block_positions, p.positions);
        const uint64_t tiles = CeilDiv(block_end - block_start, m_l0);
        const uint64_t step = CeilDiv(tiles * CeilDiv(p.kh, plan.l1.kh_per_chunk), kSlabRowSlabs);
        double rows = 0;
        double sampled = 0;
        for (uint64_t t = 0; t < tiles; t += step) {
            const uint64_t start = block_start + t * m_l0;
            const uint64_t ho_first = start / p.wout / align * align;
            const uint64_t ho_last = (std::min(start + m_l0, block_end) - 1) / p.wout;
            for (uint32_t kh_begin = 0; kh_begin < p.kh; kh_begin += plan.l1.kh_per_chunk) {
                const uint32_t kh_count = std::min(plan.l1.kh_per_chunk, p.kh - kh_begin);
                const int64_t first = static_cast<int64_t>(ho_first * p.stride_h) - p.pad_h +
                                      static_cast<int64_t>(kh_begin) * p.dilation_h;
                const int64_t last = static_cast<int64_t>(ho_last * p.stride_h) - p.pad_h +
                                     static_cast<int64_t>(kh_begin + kh_count - 1) * p.dilation_h;
                rows += static_cast<double>(std::max<int64_t>(
                    0, std::min<int64_t>(last, static_cast<int64_t>(p.hin) - 1) - std::max<int64_t>(first, 0) + 1));
            }
            sampled += 1;
        }
        most = std::max(most, rows / sampled);
    }
    return most;
}

// Average fmap bytes one tile loads over all its K chunks.
double FmapBytesPerTile(const Problem& p, uint32_t npu_arch, const TilePlan& plan, double avg_tile_m) {
    const L1Plan& l1 = plan.l1;
    if (p.fmap_direct) {
        return static_cast<double>(p.c1) * kK0 * avg_tile_m;  // ND2NZ reads m_len bytes of every channel row
    }
    const double kernel_rows = (static_cast<double>(l1.kh_per_chunk) - 1) * p.dilation_h + 1;
    const double kernel_cols = (static_cast<double>(l1.kw_per_chunk) - 1) * p.dilation_w + 1;
    double rows = 0;
    double cols = 0;
    if (plan.mode == kMTileInRow) {
        rows = std::min<double>(p.hin, kernel_rows);
        cols = std::min<double>(p.win, (avg_tile_m - 1) * p.stride_w + kernel_cols);
    } else {
        // Every kernel-row chunk's rows, summed by AcrossRowsSlabRows.
        rows = AcrossRowsSlabRows(p, npu_arch, plan) / static_cast<double>(CeilDiv(p.kh, l1.kh_per_chunk));
        cols = static_cast<double>(AcrossRowsSlabCols(p, l1.kw_per_chunk));
    }
    const double row_groups = static_cast<double>(CeilDiv(p.kh, l1.kh_per_chunk));
    const double col_groups = static_cast<double>(CeilDiv(p.kw, l1.kw_per_chunk));
    return static_cast<double>(p.c1) * row_groups * col_groups * std::max(rows, 1.0) * std::max(cols, 1.0) * kK0;
}

// DMAs the epilogue writes y with per UB pass of `rows` rows x `channels` channels (epilogue_dequant_nz_to_nchw.h
// WritePass, vector_gm_io.h CopyRunsOut): on 2201 one DataCopyPad; on 2002 one when the pass is one run of y
// (a whole image, its groups packed by Gather) or its rows are whole blocks at block spacing, else one per
// channel, plus an overlapping tail block when a row is not whole blocks.
double YDmasPerPass(const Problem& p, bool coupled, double rows, double channels, bool whole_image) {
    if (!coupled) {
        return 1.0;
    }
    const uint64_t r = static_cast<uint64_t>(rows);
    if ((whole_image && p.positions % kM0 != 0) || (r % kM0 == 0 && p.positions % kM0 == 0)) {
        return 1.0;
    }
    return channels * (r % kM0 == 0 ? 1.0 : 2.0);
}

}  // namespace

CostTerms ModelCost(const Problem& p, const SocSpec& soc, const TilePlan& plan) {
    CostTerms c;
    const BlockShape b = BusiestBlock(p, plan);
    // K slices: a block runs k_chunks_per_block of the chunks, i.e. that share of K.
    const bool sliced = plan.split.k_dim > 1;
    const double chunks = sliced ? static_cast<double>(plan.split.k_chunks_per_block) : plan.l1.k_chunks;
    const double k_fracs =
        sliced ? std::min<double>(static_cast<double>(p.k_fracs), chunks * static_cast<double>(plan.l1.chunk_k / kK0))
               : static_cast<double>(p.k_fracs);
    const double k_share = k_fracs / static_cast<double>(p.k_fracs);
    const double tiles = b.image_groups * b.n_tiles * b.m_tiles;
    const bool coupled = soc.topology == CoreTopology::kCoupled;

    c.macs = b.images * b.positions * b.channels * p.cin * p.kh * p.kw * k_share;
    c.cube_cycles = b.images * b.m_fracs * b.n_fracs * k_fracs;
    c.l1_to_l0a_bytes = b.images * b.n_tiles * b.m_fracs * kM0 * k_fracs * kK0;
    c.l1_to_l0b_bytes = b.image_groups * b.m_tiles * b.n_fracs * kN0 * k_fracs * kK0;  // once per tile

    // GM -> L1, priced as the twin's cycle model prices it (python/qconv/cycle_model.py): ws.fmap (and a
    // weight laid out into ws.weight) at the L2 rate when the launch's working set fits L2; an input read
    // from its own GM buffer (x on the direct GEMM path, a pre-packed weight) at the per-core GM rate for
    // the share of its bytes that are read for the first time and at the L2 rate for the re-reads (by other
    // blocks or other tiles of this one); plus a fixed cost per DMA instruction.
    const double fmap_loaded = tiles * b.tile_images * FmapBytesPerTile(p, soc.npu_arch, plan, b.avg_tile_m) * k_share;
    const double weight_per_n_tile = k_fracs * (b.n_fracs / b.n_tiles) * kFractalBytes;
    // A resident slab is loaded once per n tile (the schedule walks every image of an n tile in a row).
    const double weight_loads = plan.l1.weight_resident ? b.n_tiles : tiles * chunks;
    const double weight_loaded = (plan.l1.weight_resident ? b.n_tiles : tiles) * weight_per_n_tile;
    const double out_elems = static_cast<double>(p.batch) * static_cast<double>(p.positions) * p.cout;
    const double working_set = static_cast<double>(p.batch) * p.c1 * kK0 * p.hin * p.win * 2 +
                               static_cast<double>(p.k_fracs) * p.n1 * kFractalBytes * 2 + out_elems * 6;
    const bool fits_l2 = working_set <= static_cast<double>(soc.l2_bytes);
    const double l2_rate = fits_l2 ? std::max(soc.l2_bytes_per_cycle_per_core, soc.gm_bytes_per_cycle_per_core)
                                   : soc.gm_bytes_per_cycle_per_core;
    // Cycles per byte of an input whose bytes are each read `reads` times in the launch (first read at the GM
    // rate, the others at the L2 rate while the working set fits L2).
    auto input_cycles_per_byte = [&](double reads) {
        const double first = fits_l2 ? 1.0 / std::max(reads, 1.0) : 1.0;
        return first / soc.gm_bytes_per_cycle_per_core + (1.0 - first) / l2_rate;
    };
    const double m_blocks = static_cast<double>(plan.split.m_dim) * plan.split.batch_dim;
    const double weight_reads = m_blocks * (plan.l1.weight_resident ? 1.0 : b.image_groups * b.m_tiles);
    const double weight_cpb = p.weight_prepacked ? input_cycles_per_byte(weight_reads) : 1.0 / l2_rate;
    const double fmap_reads = static_cast<double>(plan.split.n_dim) * b.n_tiles;  // of x, on the direct GEMM path
    const double fmap_cpb = p.fmap_direct ? input_cycles_per_byte(fmap_reads) : 1.0 / l2_rate;
    const bool whole_rows = plan.mode == kMTileAcrossRows && plan.l1.kw_per_chunk == p.kw;
    const double fmap_dmas =
        tiles * b.tile_images * chunks * (whole_rows || p.fmap_direct ? 1.0 : plan.l1.c1_per_chunk);
    c.gm_to_l1_bytes = fmap_loaded + weight_loaded;
    c.l2_reread_bytes = 0;

    // Phase 1 lays out the fmap (and a plain filter) on the vector cores of every block before the cube phase; on
    // 2201 the AIC loads the first rows of its first weight slab under it (prefetch.h): their bytes, and the
    // slab's DMA when they are all of it, leave the cube phase.
    c.layout_cycles = LayoutPhaseEstimate(p, soc, plan.split.blocks());
    double prefetched = 0;
    double weight_dmas = weight_loads;
    if (!coupled && p.weight_prepacked && c.layout_cycles > 0) {
        const uint64_t chunk_rows = static_cast<uint64_t>(plan.l1.c1_per_chunk) * plan.l1.kh_per_chunk * plan.l1.kw_per_chunk;
        const uint32_t rows = PrefetchRowsWithin(c.layout_cycles, plan.l0.n_l0, chunk_rows, soc);
        prefetched = static_cast<double>(rows) * (plan.l0.n_l0 / kN0) * kFractalBytes;
        weight_dmas -= rows == chunk_rows ? 1.0 : 0.0;
    }
    c.mte2_cycles = fmap_loaded * fmap_cpb + (weight_loaded - prefetched) * weight_cpb +
                    (fmap_dmas + weight_dmas) * soc.gm_read_dma_cycles;

    // K steps per chunk: a step covers at most k_l0 and stays inside one Load3D's K (schedule::Load3dKFracs).
    const uint64_t load_k = schedule::Load3dKFracs(soc.npu_arch, static_cast<uint32_t>(plan.l1.chunk_k / kK0),
                                                   plan.l1.kh_per_chunk * plan.l1.kw_per_chunk) * kK0;
    const double steps_per_chunk = static_cast<double>(plan.l1.chunk_k / load_k * CeilDiv(load_k, plan.l0.k_l0));
    const double steps = tiles * chunks * steps_per_chunk;
    // Loads per step: one Load3D (img2col) or one LoadDataWithTranspose per 32-position square row or per K
    // fractal, whichever is fewer (direct GEMM), and the weight's LoadData 2D.
    const double image_rows = plan.m_images > 1 ? static_cast<double>(plan.l0.m_l0) / plan.m_images : plan.l0.m_l0;
    const double a_loads = b.tile_images * (p.fmap_direct ? std::min<double>(std::ceil(image_rows / 32),
                                                                              static_cast<double>(plan.l0.k_l0 / kK0))
                                                          : 1.0);
    c.mte1_cycles = c.l1_to_l0a_bytes / soc.l1_to_l0a_bytes_per_cycle +
                    c.l1_to_l0b_bytes / soc.l1_to_l0b_bytes_per_cycle + steps * (a_loads + 1) * soc.l1_to_l0_dma_cycles;

    // The acc tile leaves L0C: 2201 Fixpipe into ws.acc (L2, its own pipe); 2002 L0C -> UB, a PIPE_V copy the
    // twin counts as vector bytes (sim data_copy.h), so it joins the epilogue's vector work below.
    c.out_bytes = b.images * b.m_fracs * kM0 * b.n_fracs * kN0 * 4;
    c.out_cycles = coupled ? c.out_bytes / kVectorBytesPerCycle : c.out_bytes / l2_rate + tiles * soc.gm_write_dma_cycles;

    // The vector side of the block (2201: each of the vector_per_cube AIVs takes its share of every tile, with K
    // slices the 2 * k_dim AIVs of the blocks sharing a tile, each reading its part of every partial; 2002: the
    // same core): acc back from ws.acc, ~24 B of vector writes per output, y out (2 B per output). The busiest
    // share, as schedule::GetVectorShare deals it.
    const uint32_t shares = coupled ? 1 : std::max<uint32_t>(soc.vector_per_cube, 1) * plan.split.k_dim;
    const uint32_t tile_groups = static_cast<uint32_t>(std::max(1.0, std::ceil(b.n_fracs / b.n_tiles)));
    const uint32_t tile_rows16 = static_cast<uint32_t>(std::max(1.0, std::ceil(b.avg_tile_m / kM0)));
    const uint32_t row_parts = schedule::ShareRowParts(tile_groups, shares);
    const double share_groups = row_parts > 1 ? 1.0 : static_cast<double>(CeilDiv(tile_groups, shares));
    const double share_rows = std::min(b.avg_tile_m, static_cast<double>(CeilDiv(tile_rows16, row_parts) * kM0));
    const double outputs = tiles * b.tile_images * share_groups * kN0 * share_rows;
    const double vector_cycles = outputs * kVectorBytesPerOutput / kVectorBytesPerCycle + (coupled ? c.out_cycles : 0.0);
    // One acc read (2201) and the y writes per UB pass (ub_m rows x ub_n channels) of a vector core's share of
    // a tile.
    const double pass_rows = std::min<double>(plan.ub.ub_m, share_rows);
    const double pass_groups = std::max<double>(plan.ub.ub_n / kN0, 1.0);
    const double passes = tiles * b.tile_images * std::ceil(share_groups / pass_groups) *
                          std::ceil(share_rows / std::max<double>(plan.ub.ub_m, 1.0));
    const double pass_channels = std::min(share_groups, pass_groups) * kN0;
    const bool whole_image = plan.mode == kMTileAcrossRows && b.avg_tile_m >= static_cast<double>(p.positions) &&
                             plan.ub.ub_m >= p.positions;
    const double vec_in_cycles =
        coupled ? 0.0 : outputs * 4 * plan.split.k_dim / l2_rate + passes * soc.gm_read_dma_cycles;
    const double vec_out_cycles = outputs * 2 / soc.gm_bytes_per_cycle_per_core +
                                  passes * YDmasPerPass(p, coupled, pass_rows, pass_channels, whole_image) *
                                      soc.gm_write_dma_cycles;

    // Inside the cube phase every pipe of a core overlaps the others and the slowest core sets the time (the
    // twin's cycle model; single buffers included, it charges no serialisation); a coupled core's MTE2 carries
    // only the cube's loads, its epilogue's vector work and y writes are pipes of their own. K slices: the
    // epilogue waits for every partial (a second SyncAll), so it follows the cube phase instead of overlapping it.
    const double cube_side = std::max({c.mte2_cycles, c.mte1_cycles, c.cube_cycles, coupled ? 0.0 : c.out_cycles});
    const double vector_side = std::max({vector_cycles, vec_in_cycles, vec_out_cycles});
    double total = sliced ? cube_side + vector_side : std::max(cube_side, vector_side);

    // The whole chip's HBM: the inputs read from their own buffers once (every re-read while they fit L2) and y.
    const double blocks_sharing_weight =
        fits_l2 ? 1.0
                : static_cast<double>(plan.split.blocks() / plan.split.k_dim) /
                      std::max<uint32_t>(static_cast<uint32_t>(CeilDiv(p.n1, plan.split.n_per_block)), 1);
    const double x_bytes = static_cast<double>(p.batch) * p.cin * p.hin * p.win;
    const double weight_bytes = static_cast<double>(p.k_fracs) * p.n1 * kFractalBytes;
    const double hbm_bytes = (p.weight_prepacked ? weight_bytes * blocks_sharing_weight : 0) +
                             (p.fmap_direct ? x_bytes * (fits_l2 ? 1.0 : plan.split.n_dim) : 0) + out_elems * 2;
    if (soc.hbm_bytes_per_second > 0) {
        total = std::max(total, hbm_bytes / soc.hbm_bytes_per_second * soc.clock_ghz * 1e9);
    }
    // The whole chip's L2, while the working set fits it: the workspace traffic (ws.fmap, ws.weight, 2201's acc
    // written and read back) and the inputs' re-reads of every block (the busiest block's times the blocks).
    if (fits_l2 && soc.l2_bytes_per_second > 0) {
        auto rereads = [](double bytes, double reads) { return bytes * (1.0 - 1.0 / std::max(reads, 1.0)); };
        const double l2_bytes = (p.fmap_direct ? rereads(fmap_loaded, fmap_reads) : fmap_loaded) +
                                (p.weight_prepacked ? rereads(weight_loaded, weight_reads) : weight_loaded) +
                                (coupled ? 0.0 : 2 * c.out_bytes);
        total = std::max(total, l2_bytes * plan.split.blocks() / soc.l2_bytes_per_second * soc.clock_ghz * 1e9);
    }
    c.total_cycles = c.layout_cycles + total;  // phases add up
    c.time_us = c.total_cycles / (soc.clock_ghz * 1e3);
    c.cube_utilisation = c.total_cycles > 0 ? c.cube_cycles / c.total_cycles : 0;

    const double all_macs = static_cast<double>(p.batch) * static_cast<double>(p.positions) * p.cout * p.cin * p.kh * p.kw;
    c.cube_bound_us = all_macs / (static_cast<double>(soc.cube_cores) * soc.cube_int8_macs_per_cycle * soc.clock_ghz * 1e3);
    return c;
}

}  // namespace qconv::tiling
