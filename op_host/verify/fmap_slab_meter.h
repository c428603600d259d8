// The fmap slabs of a walked schedule: every (tile, K chunk) pair loads one slab into L1, whose bytes must fit
// fmap_l1_bytes, whose Load3D fields must hold it (padList <= 255, l1H / l1W <= 32767, mStartPt + the M extent)
// inside the image, and whose taps must be the convolution's (load3d_taps.h: the first kTapSlabs slabs measured
// and every kTapStride-th after them); a direct GEMM slab must cover its tile's positions inside the image.
//
// A slab is the input window that a tile's output positions read for one chunk's kernel taps, so
// schedule::GetFmapSlab depends on the tile only through its M range (m_start, m_len) and on the chunk only
// through its kernel window (kh_begin, kh_count, kw_begin, kw_count) and its channel-group count (c1_count):
// CheckPremise confirms this on every shape. Measuring each M range against each distinct chunk window
// therefore measures the slab of every (tile, chunk) pair. The ranges repeat: every m run of a block (one per
// image and n tile) normally has its first run's ranges, and blocks that differ only along N or the batch
// have the same runs; a tile whose range equals the one at its position in such an already measured run is
// not measured again. The windows repeat for every channel group (k_chunks reaches 10^5 for wide kernels).
#pragma once

#include <cstdint>
#include <vector>

#include "op_host/verify/invariant_checker.h"
#include "op_kernel/quant_conv2d_schedule.h"

namespace qconv::verify {

class FmapSlabMeter {
public:
    // Which pairs are measured: every (M range, chunk window) pair, i.e. every (tile, chunk) slab, when there
    // are at most `budget` of them (at most `range_bound` distinct M ranges, a bound the caller derives from
    // the blocks' work) or the schedule is short (total_tiles x min(k_chunks, 3) < budget). Otherwise every M
    // range against the windows of the first and the last chunk, and an evenly spread sample of the ranges
    // against every window, about `budget` pairs. `every_pair`: no deduplication and no sample, every tile
    // against every chunk (the tests compare both ways).
    FmapSlabMeter(const QuantConv2dTilingData& td, uint64_t total_tiles, uint64_t range_bound, uint64_t budget,
                  bool every_pair = false);

    // Fails unless GetFmapSlab gives `t`'s slab for the first chunk unchanged when every tile and chunk field
    // outside the M range and the kernel window is altered: the premise that makes measuring distinct ranges
    // and windows equivalent to measuring every pair.
    void CheckPremise(Checker& c, const schedule::OutputTile& t) const;

    // Called for every tile of every block in schedule order; `new_block` / `new_run`: the tile starts a block
    // / an m run (a new image or n tile of the block; the block's first tile starts both).
    void Tile(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t, bool new_block, bool new_run);

    uint64_t slabs_checked() const { return slabs_checked_; }
    uint64_t max_slab_bytes() const { return max_slab_bytes_; }

private:
    struct Window {
        schedule::KChunk chunk;  // the first chunk with this kernel window and channel-group count
        uint32_t index;          // its chunk index (named in messages)
    };
    struct MRange {
        uint32_t start, len;
        bool operator==(const MRange& o) const { return start == o.start && len == o.len; }
    };
    static constexpr size_t kNoRun = SIZE_MAX;

    // Whether the next slab measured gets its Load3D taps checked: a sample, as they cost more than the rest.
    static constexpr uint64_t kTapSlabs = 256;
    static constexpr uint64_t kTapStride = 64;
    bool SampleTaps() {
        const uint64_t n = tap_candidates_++;
        return n < kTapSlabs || n % kTapStride == 0;
    }

    void Measure(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t);
    void MeasureWindows(Checker& c, uint32_t block, uint64_t tile, const schedule::OutputTile& t,
                        const Window* windows, size_t count);

    const QuantConv2dTilingData& td_;
    const bool every_pair_;
    std::vector<Window> windows_;       // distinct windows in chunk order
    size_t first_window_ = 0;           // windows_ index of chunk 0's window
    size_t last_window_ = 0;            // and of chunk k_chunks - 1's
    uint64_t every_window_stride_ = 1;  // the n-th range measured goes against every window if n % stride == 0
    uint64_t ranges_measured_ = 0;
    std::vector<std::vector<MRange>> runs_;  // measured m runs: every range in them was measured
    size_t ref_ = kNoRun;                    // the run of runs_ the current tiles are compared with
    std::vector<MRange> first_run_;          // the current block's first run, recorded while it is walked
    bool in_first_run_ = false;
    bool first_run_measured_ = false;        // some range of first_run_ was measured (not all are in ref_)
    size_t pos_ = 0;                         // the tile's index in its m run
    uint64_t slabs_checked_ = 0;
    uint64_t tap_candidates_ = 0;       // slabs that passed every other check (SampleTaps)
    uint64_t max_slab_bytes_ = 0;
};

}  // namespace qconv::verify
