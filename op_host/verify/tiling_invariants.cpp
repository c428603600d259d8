#include "op_host/verify/tiling_invariants.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "op_host/tiling/tiling_budgets.h"
#include "op_host/tiling/tiling_problem.h"
#include "op_host/verify/fmap_slab_meter.h"
#include "op_host/verify/invariant_checker.h"
#include "op_kernel/cube_buffer_budget.h"
#include "op_kernel/quant_conv2d_schedule.h"

namespace qconv::verify {
namespace {

using Wide = unsigned __int128;

std::string Text(Wide v) {
    if (v == 0) return "0";
    std::string s;
    while (v != 0) {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    return s;
}

void CheckProblemEcho(Checker& c, const ConvShape& caller, const SocSpec& soc, const QuantConv2dTilingData& td) {
    // The conv fields describe the conv the cube runs: on the kw-packed path the packed one, the caller's W axis
    // in the kw_pack fields; on the subsampled path the 1x1 stride-1 one, the caller's H, W and strides in the
    // subsample fields.
    const bool packed = td.fmap_path == kFmapKwPacked;
    c.Expect(packed == tiling::KwPackEligible(caller), "problem: kw-packed path ", packed ? "taken" : "not taken",
             " although the shape is ", packed ? "not " : "", "eligible");
    const bool subsampled = td.fmap_path == kFmapSubsampled;
    c.Expect(subsampled == (!packed && tiling::SubsampleEligible(caller, soc.npu_arch)), "problem: subsampled path ",
             subsampled ? "taken" : "not taken", " although the shape is ", subsampled ? "not " : "", "eligible");
    const ConvShape s = packed ? tiling::KwPackedShape(caller) : subsampled ? tiling::SubsampledShape(caller) : caller;
    if (subsampled) {
        c.Expect(td.subsample_hin == caller.hin && td.subsample_win == caller.win &&
                     td.subsample_stride_h == caller.stride_h && td.subsample_stride_w == caller.stride_w,
                 "problem: subsample fields differ from the shape");
    }
    if (packed) {
        c.Expect(td.kw_pack_cin == caller.cin && td.kw_pack_win == caller.win && td.kw_pack_kw == caller.kw &&
                     td.kw_pack_stride_w == caller.stride_w && td.kw_pack_pad_w == caller.pad_w &&
                     td.kw_pack_dilation_w == caller.dilation_w,
                 "problem: kw_pack fields differ from the shape");
    }
    c.Expect(td.batch == s.batch && td.cin == s.cin && td.hin == s.hin && td.win == s.win && td.cout == s.cout &&
                 td.kh == s.kh && td.kw == s.kw,
             "problem: tiling data dims differ from the shape");
    c.Expect(td.stride_h == s.stride_h && td.stride_w == s.stride_w && td.pad_h == s.pad_h && td.pad_w == s.pad_w &&
                 td.dilation_h == s.dilation_h && td.dilation_w == s.dilation_w && td.offset_x == s.offset_x,
             "problem: tiling data attributes differ from the shape");
    c.Expect(td.hout == OutputH(s) && td.wout == OutputW(s), "problem: hout/wout ", td.hout, "/", td.wout,
             " differ from the floor formula ", OutputH(s), "/", OutputW(s));
    c.Expect(td.c1 == (s.cin + 31) / 32 && td.n1 == (s.cout + 15) / 16, "problem: c1/n1 wrong");
    c.Expect(td.npu_arch == soc.npu_arch, "problem: npu_arch ", td.npu_arch, " != SoC ", soc.npu_arch);
    c.Expect(td.has_bias == (s.has_bias ? 1u : 0u) && td.scale_kind == static_cast<uint32_t>(s.scale_kind) &&
                 td.weight_format == static_cast<uint32_t>(caller.weight_format),
             "problem: has_bias/scale_kind/weight_format differ from the shape");
}

// The rules the POD alone decides are tiling::BudgetViolations (one home, shared with the engine's self-check),
// except its fmap slab bound, returned in `*slab_bound`: the walk measures the slabs the bound stands for and
// names the one that does not fit, so the bound is reported only when the walk finds nothing. The report's
// levels state the SoC's capacities and fit them.
void CheckPodRules(Checker& c, const SocSpec& soc, const tiling::TilingResult& r, std::string* slab_bound) {
    for (const std::string& violation : tiling::BudgetViolations(r.data, soc)) {
        if (violation.rfind(tiling::kFmapSlabBoundRule, 0) == 0) {
            if (slab_bound->empty()) *slab_bound = violation;
        } else {
            c.Expect(false, violation);
        }
    }
    const std::pair<const char*, const tiling::BufferUse*> levels[] = {
        {"L1", &r.report.l1}, {"L0A", &r.report.l0a}, {"L0B", &r.report.l0b}, {"L0C", &r.report.l0c}, {"UB", &r.report.ub}};
    const uint64_t capacities[] = {soc.l1_bytes, soc.l0a_bytes, soc.l0b_bytes, soc.l0c_bytes, soc.ub_bytes};
    for (size_t i = 0; i < 5; ++i) {
        const tiling::BufferUse& use = *levels[i].second;
        c.Expect(use.capacity_bytes == capacities[i], "report: ", levels[i].first, " capacity ", use.capacity_bytes,
                 " != SoC ", capacities[i]);
        c.Expect(use.used_bytes <= use.capacity_bytes, "report: ", levels[i].first, " uses ", use.used_bytes, " > ",
                 use.capacity_bytes);
    }
}

// K chunks as GetKChunk walks them: contiguous, exactly covering the c1 * kh * kw fractal rows, each within the
// weight slab and the Load3D K limit (kStartPt, kExtension and channelSize = 32 x its channel groups: 16-bit).
// Runs after BudgetViolations held, so the chunk fields are non-zero and k_chunks matches them.
void CheckChunks(Checker& c, const SocSpec& soc, const QuantConv2dTilingData& td) {
    const uint64_t k_fracs = uint64_t{td.c1} * td.kh * td.kw;
    uint64_t next = 0;
    for (uint32_t i = 0; i < td.k_chunks && c.ok(); ++i) {
        const schedule::KChunk k = schedule::GetKChunk(td, i);
        c.Expect(k.k_fracs >= 1 && k.k_frac_begin == next, "K: chunk ", i, " starts at ", k.k_frac_begin,
                 " instead of ", next);
        next = uint64_t{k.k_frac_begin} + k.k_fracs;
        c.Expect(cube_buffers::WeightSlabBytes(k.k_fracs, td.n_l0) <= td.weight_l1_bytes, "L1: weight slab of chunk ", i,
                 " exceeds weight_l1_bytes ", td.weight_l1_bytes);
        const uint64_t k_extent = uint64_t{k.k_fracs} * 32;
        c.Expect(k_extent <= soc.load3d_k_limit, "Load3D: chunk ", i, " K extent ", k_extent, " beyond ",
                 soc.load3d_k_limit);
    }
    c.Expect(next == k_fracs, "K: chunks cover ", next, " of ", k_fracs, " fractal rows");
}

// A block's share as observed from its tiles: images [b0, b1) x channels [n0, n1) x positions [m0, m1), over
// K chunks [k0, k1) (all of them unless K is sliced).
struct Box {
    uint64_t b0, b1, n0, n1, m0, m1, k0, k1;
    Wide volume() const { return Wide(b1 - b0) * (n1 - n0) * (m1 - m0) * (k1 - k0); }
};

bool Disjoint(const Box& a, const Box& b) {
    return a.b1 <= b.b0 || b.b1 <= a.b0 || a.n1 <= b.n0 || b.n1 <= a.n0 || a.m1 <= b.m0 || b.m1 <= a.m0 ||
           a.k1 <= b.k0 || b.k1 <= a.k0;
}

// Walks every block's tiles in the kernel's order (image, then n tile, then m tile) without storing them:
// each block's tiles must tile one box exactly (contiguous m runs that all span the same positions,
// contiguous n runs, consecutive images), and the blocks' boxes must be disjoint and fill the output.
// Together: every (image, channel, position) is produced exactly once, for every K chunk exactly once. Every tile is also checked against
// the output and its L0 tile, and its fmap slabs are measured (FmapSlabMeter: repeated M ranges once).
void CheckCoverage(Checker& c, const QuantConv2dTilingData& td, InvariantStats* stats, uint64_t max_walk_tiles,
                   bool every_slab) {
    const uint64_t positions = uint64_t{td.hout} * td.wout;
    uint64_t total_tiles = 0, busiest = 0;
    std::vector<std::pair<uint64_t, uint64_t>> m_shares;  // (m_begin, m_count) of the blocks, each share once
    uint64_t range_bound = 0;                              // M ranges of those shares
    for (uint32_t b = 0; b < td.block_dim; ++b) {
        const schedule::BlockWork w = schedule::GetBlockWork(td, b);
        total_tiles += w.tiles;
        busiest = std::max<uint64_t>(busiest, w.tiles);
        const std::pair<uint64_t, uint64_t> share{w.m_begin, w.m_count};
        if (std::find(m_shares.begin(), m_shares.end(), share) == m_shares.end()) {
            m_shares.push_back(share);
            range_bound += w.m_tiles;
        }
    }
    if (stats != nullptr) stats->max_block_tiles = std::max(stats->max_block_tiles, busiest);
    if (total_tiles > max_walk_tiles) {
        if (stats != nullptr) ++stats->unwalked;
        return;
    }
    FmapSlabMeter slabs(td, total_tiles, range_bound, kSlabChecksPerShape, every_slab);
    std::vector<Box> boxes;
    uint64_t tiles = 0, covered = 0;
    for (uint32_t b = 0; b < td.block_dim && c.ok(); ++b) {
        const schedule::BlockWork w = schedule::GetBlockWork(td, b);
        if (!c.Expect(w.tiles > 0 && w.k_chunk_count > 0, "blocks: block ", b, " of ", td.block_dim, " has no work")) {
            return;
        }
        Box box{};
        uint64_t prev_batch = 0, prev_images = 1, prev_n0 = 0, prev_n1 = 0, prev_m1 = 0;
        bool m_end_known = false;
        for (uint32_t i = 0; i < w.tiles && c.ok(); ++i) {
            const schedule::OutputTile t = schedule::GetTile(td, w, i);
            const uint64_t n0 = t.n_start, n1 = uint64_t{t.n_start} + t.n_len;
            const uint64_t m0 = t.m_start, m1 = uint64_t{t.m_start} + t.m_len;
            bool new_run = i == 0;
            c.Expect(t.images >= 1 && t.images <= schedule::ImagesPerTile(td) && t.batch + t.images <= td.batch &&
                         schedule::TileRows(td, t) <= td.m_l0 && (t.images == 1 || (t.m_start == 0 && m1 == positions)),
                     "tile: block ", b, " tile ", i, " (images ", t.batch, "+", t.images, ", m ", t.m_start, "+",
                     t.m_len, ") is not whole images within the L0 tile");
            c.Expect(t.batch < td.batch && t.m_len >= 1 && t.m_len <= td.m_l0 && t.n_len >= 1 &&
                         t.n_len <= td.n_l0 && t.n_start % 16 == 0 && m1 <= positions && n1 <= td.cout,
                     "tile: block ", b, " tile ", i, " (batch ", t.batch, ", m ", t.m_start, "+", t.m_len, ", n ",
                     t.n_start, "+", t.n_len, ") outside the output or the L0 tile");
            if (td.m_tile_mode == kMTileInRow) {
                c.Expect(m0 / td.wout == (m1 - 1) / td.wout, "tile: block ", b, " tile ", i,
                         " crosses an output row in in-row mode");
            }
            if (i == 0) {
                box = {t.batch, uint64_t{t.batch} + t.images, n0, n1, m0, m1, w.k_chunk_begin,
                       uint64_t{w.k_chunk_begin} + w.k_chunk_count};
                if (b == 0) slabs.CheckPremise(c, t);
            } else if (t.batch == prev_batch && n0 == prev_n0) {
                c.Expect(n1 == prev_n1 && m0 == prev_m1, "coverage: block ", b, " tile ", i, " positions ", m0,
                         " follow ", prev_m1, m0 < prev_m1 ? " (computed twice)" : " (gap)");
            } else {
                // Order n tile, image, m tile: a new run is the next image of the same n tile or the next n tile
                // (images restart); either way the finished m run must have ended where the first did.
                new_run = true;
                if (!m_end_known) box.m1 = prev_m1;
                m_end_known = true;
                c.Expect(prev_m1 == box.m1 && m0 == box.m0, "coverage: block ", b, " tile ", i,
                         " m runs differ in extent: [", box.m0, ", ", box.m1, ") vs run ending at ", prev_m1,
                         " then starting at ", m0);
                if (n0 == prev_n0) {
                    c.Expect(t.batch == prev_batch + prev_images && n1 == prev_n1, "coverage: block ", b, " tile ", i, " image ",
                             t.batch, " does not follow image ", prev_batch, " of its n tile");
                    if (n0 == box.n0) {
                        box.b1 = uint64_t{t.batch} + t.images;  // the first n tile defines the block's images
                    } else {
                        c.Expect(t.batch < box.b1, "coverage: block ", b, " n tile at channel ", n0, " has more images");
                    }
                } else {
                    c.Expect(n0 == prev_n1 && t.batch == box.b0 && prev_batch + prev_images == box.b1, "coverage: block ", b,
                             " tile ", i, " n tile at channel ", n0, " does not follow channel ", prev_n1,
                             " with the block's images restarted");
                    box.n1 = n1;
                }
            }
            prev_batch = t.batch;
            prev_images = t.images;
            prev_n0 = n0;
            prev_n1 = n1;
            prev_m1 = m1;
            ++tiles;
            if (w.k_slice == 0) covered += uint64_t{t.m_len} * t.n_len * t.images;  // K slices: each output once
            slabs.Tile(c, b, i, t, i == 0, new_run);
        }
        if (!c.ok()) return;
        if (m_end_known) {
            c.Expect(prev_m1 == box.m1, "coverage: block ", b, " last m run ends at ", prev_m1, ", not ", box.m1);
        } else {
            box.m1 = prev_m1;
        }
        c.Expect(prev_n1 == box.n1 && prev_batch + prev_images == box.b1, "coverage: block ", b, " last tile (image ", prev_batch,
                 ", channels up to ", prev_n1, ") does not close the block's box");
        boxes.push_back(box);
    }
    if (stats != nullptr) {
        stats->tiles += tiles;
        stats->covered_elements += covered;
        stats->slabs_checked += slabs.slabs_checked();
        stats->max_fmap_slab_bytes = std::max(stats->max_fmap_slab_bytes, slabs.max_slab_bytes());
    }
    if (!c.ok()) return;
    Wide volume = 0;
    for (size_t i = 0; i < boxes.size(); ++i) {
        volume += boxes[i].volume();
        for (size_t j = i + 1; j < boxes.size(); ++j) {
            if (!c.Expect(Disjoint(boxes[i], boxes[j]), "coverage: blocks ", i, " and ", j, " compute the same outputs")) {
                return;
            }
        }
    }
    const Wide total = Wide(td.batch) * td.cout * positions * td.k_chunks;
    c.Expect(volume == total, "coverage: blocks cover ", Text(volume), " of ", Text(total),
             " (output element, K chunk) pairs (gap)");
}

}  // namespace

Status CheckTilingInvariants(const ConvShape& shape, const SocSpec& soc, const tiling::TilingResult& result,
                             InvariantStats* stats, uint64_t max_walk_tiles, bool every_slab) {
    if (stats != nullptr) ++stats->tilings;
    Checker c;
    const QuantConv2dTilingData& td = result.data;
    std::string slab_bound;
    CheckProblemEcho(c, shape, soc, td);
    if (c.ok()) CheckPodRules(c, soc, result, &slab_bound);
    if (c.ok()) CheckChunks(c, soc, td);
    if (c.ok()) CheckCoverage(c, td, stats, max_walk_tiles, every_slab);
    c.Expect(slab_bound.empty(), slab_bound);
    return c.ok() ? Status::Ok() : Status::Error(c.message());
}

}  // namespace qconv::verify
