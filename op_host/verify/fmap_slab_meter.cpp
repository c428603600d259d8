#include "op_host/verify/fmap_slab_meter.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "op_host/tiling/l1_tiling.h"
#include "op_host/verify/load3d_taps.h"
#include "op_kernel/cube_buffer_budget.h"

namespace qconv::verify {
namespace {

// What GetFmapSlab and the slab's size read of a chunk.
using WindowKey = std::array<uint32_t, 5>;

WindowKey KeyOf(const schedule::KChunk& k) { return {k.c1_count, k.kh_begin, k.kh_count, k.kw_begin, k.kw_count}; }

struct WindowKeyHash {
    size_t operator()(const WindowKey& k) const {
        uint64_t h = 0;
        for (uint32_t v : k) h = (h ^ v) * 0x100000001b3ULL;  // an FNV-1a step per word
        return static_cast<size_t>(h);
    }
};

bool SameWindow(const schedule::Window& a, const schedule::Window& b) {
    return a.begin == b.begin && a.count == b.count && a.pad_before == b.pad_before && a.pad_after == b.pad_after;
}

}  // namespace

FmapSlabMeter::FmapSlabMeter(const QuantConv2dTilingData& td, uint64_t total_tiles, uint64_t range_bound,
                             uint64_t budget, bool every_pair)
    : td_(td), every_pair_(every_pair) {
    std::unordered_map<WindowKey, size_t, WindowKeyHash> index_of;  // window -> windows_ index
    for (uint32_t i = 0; i < td.k_chunks; ++i) {
        const schedule::KChunk chunk = schedule::GetKChunk(td, i);
        const auto [it, fresh] = index_of.emplace(KeyOf(chunk), windows_.size());
        if (fresh) windows_.push_back({chunk, i});
        if (i + 1 == td.k_chunks) last_window_ = it->second;
    }
    first_window_ = 0;
    const uint64_t pairs = range_bound * windows_.size();
    const bool short_schedule = total_tiles * std::min<uint64_t>(td.k_chunks, 3) < budget;
    if (!short_schedule && pairs > budget) every_window_stride_ = (pairs + budget - 1) / budget;
}

void FmapSlabMeter::CheckPremise(Checker& c, const schedule::OutputTile& t) const {
    const schedule::KChunk& k = windows_[first_window_].chunk;
    schedule::OutputTile other_tile = t;
    other_tile.batch += 1;
    other_tile.n_start += 16;
    other_tile.n_len += 16;
    other_tile.m_tile += 1;
    other_tile.n_tile += 1;
    schedule::KChunk other_chunk = k;
    other_chunk.c1_begin += 1;
    other_chunk.k_frac_begin += 1;
    other_chunk.k_fracs += 1;
    const schedule::FmapSlab a = schedule::GetFmapSlab(td_, t, k);
    const schedule::FmapSlab b = schedule::GetFmapSlab(td_, other_tile, other_chunk);
    c.Expect(SameWindow(a.rows, b.rows) && SameWindow(a.cols, b.cols) && a.m_start_pt == b.m_start_pt,
             "schedule: GetFmapSlab reads more of a tile than its M range or of a chunk than its kernel window; "
             "op_host/verify/fmap_slab_meter.h must measure every (tile, chunk) pair");
}

void FmapSlabMeter::Tile(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t, bool new_block,
                         bool new_run) {
    if (every_pair_) {
        for (uint32_t i = 0; i < td_.k_chunks && c.ok(); ++i) {
            const Window w{schedule::GetKChunk(td_, i), i};
            MeasureWindows(c, block, tile, t, &w, 1);
        }
        return;
    }
    const MRange range{t.m_start, t.m_len};
    if (new_run && in_first_run_) {  // the previous block's or this block's first run is complete
        if (first_run_measured_) {
            runs_.push_back(first_run_);
            ref_ = runs_.size() - 1;
        }
        in_first_run_ = false;
    }
    if (new_block) {
        ref_ = kNoRun;
        for (size_t r = 0; r < runs_.size() && ref_ == kNoRun; ++r) {
            if (runs_[r][0] == range) ref_ = r;
        }
        first_run_.clear();
        in_first_run_ = true;
        first_run_measured_ = false;
    }
    if (new_run) pos_ = 0;
    const bool known = ref_ != kNoRun && pos_ < runs_[ref_].size() && runs_[ref_][pos_] == range;
    if (!known) {
        Measure(c, block, tile, t);
        first_run_measured_ |= in_first_run_;
    }
    if (in_first_run_) first_run_.push_back(range);
    ++pos_;
}

void FmapSlabMeter::Measure(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t) {
    if (ranges_measured_++ % every_window_stride_ == 0) {
        MeasureWindows(c, block, tile, t, windows_.data(), windows_.size());
    } else {
        MeasureWindows(c, block, tile, t, &windows_[first_window_], 1);
        if (last_window_ != first_window_) MeasureWindows(c, block, tile, t, &windows_[last_window_], 1);
    }
}

void FmapSlabMeter::MeasureWindows(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t,
                                   const Window* windows, size_t count) {
    // The hot loop of the walker: no message is built unless a slab fails.
    const QuantConv2dTilingData& td = td_;
    const bool direct = td.fmap_path == kFmapDirectGemm;
    uint64_t largest = max_slab_bytes_;
    for (size_t i = 0; i < count; ++i) {
        const schedule::KChunk& chunk = windows[i].chunk;
        const schedule::FmapSlab slab = schedule::GetFmapSlab(td, t, chunk);
        // 64-bit: no wrap can hide a slab too large for L1.
        const uint64_t bytes = cube_buffers::FmapSlabBytes(t.images, chunk.c1_count, slab.rows.count, slab.cols.count);
        largest = std::max(largest, bytes);
        const bool pads_fit = slab.rows.pad_before <= 255 && slab.rows.pad_after <= 255 &&
                              slab.cols.pad_before <= 255 && slab.cols.pad_after <= 255;
        // Direct GEMM: x's channel rows at the tile's positions (output position m is input position m), covering
        // the tile inside the image. Img2col: the Load3D fields (l1H, l1W, mStartPt + the M extent) and the window
        // inside the image, and the taps Load3D reads are the convolution's.
        const bool window_fits =
            direct ? slab.cols.begin == t.m_start && slab.cols.count >= t.m_len &&
                         uint64_t{t.m_start} + t.m_len <= uint64_t{td.hin} * td.win
                   : slab.rows.count >= 1 && slab.cols.count >= 1 && slab.rows.count <= tiling::kLoad3dMaxL1Extent &&
                         slab.cols.count <= tiling::kLoad3dMaxL1Extent &&
                         uint64_t{slab.rows.begin} + slab.rows.count <= td.hin &&
                         uint64_t{slab.cols.begin} + slab.cols.count <= td.win &&
                         uint64_t{slab.m_start_pt} + schedule::AlignUp16(t.m_len) <= tiling::kLoad3dMaxL1Extent + 16ull;
        const bool taps_right = direct || !window_fits || !SampleTaps() ||
                                SlabReadsTheConv(td, slab, chunk, t.m_start, t.m_len);
        if (!pads_fit || bytes > td.fmap_l1_bytes || !window_fits || !taps_right) {
            c.Expect(pads_fit, "Load3D: padList of block ", block, " tile ", tile, " chunk ", windows[i].index,
                     " exceeds 255");
            c.Expect(bytes <= td.fmap_l1_bytes, "L1: fmap slab of block ", block, " tile ", tile, " chunk ",
                     windows[i].index, " is ", bytes, " bytes > fmap_l1_bytes ", td.fmap_l1_bytes);
            c.Expect(window_fits, direct ? "direct GEMM: slab of block " : "Load3D: slab of block ", block, " tile ",
                     tile, " chunk ", windows[i].index, " (rows ", slab.rows.begin, "+", slab.rows.count, ", cols ",
                     slab.cols.begin, "+", slab.cols.count, ", mStartPt ", slab.m_start_pt,
                     direct ? ") does not cover the tile inside the image" : ") breaks a Load3D field or the image");
            c.Expect(taps_right, "Load3D: slab of block ", block, " tile ", tile, " chunk ", windows[i].index,
                     " reads a different input element than the convolution");
            count = i + 1;
            break;
        }
    }
    slabs_checked_ += count;
    max_slab_bytes_ = largest;
}

}  // namespace qconv::verify
