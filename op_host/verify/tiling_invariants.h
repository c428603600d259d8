// What every tiling must satisfy: the POD's own rules (tiling::BudgetViolations: the block split within the
// SoC's cores, every buffer budget, the K chunking, the paths' rules, the workspace layout and every GM /
// workspace byte offset within int64), the POD against the caller's shape and the engine's report, and, by
// walking the schedule the kernel walks (op_kernel/quant_conv2d_schedule.h), every output element produced
// exactly once, every K step exactly once within the Load3D limit, and every fmap slab within L1, Load3D's
// fields and the convolution's taps (fmap_slab_meter.h). Used by the property tests (in batches, so that tens
// of thousands of shapes stay fast), the tiling engine's test and `qconv-kit tiling`.
#pragma once

#include <cstdint>

#include "op_host/core/conv_shape.h"
#include "op_host/core/soc_spec.h"
#include "op_host/core/status.h"
#include "op_host/tiling/tiling_engine.h"

namespace qconv::verify {

struct InvariantStats {
    uint64_t tilings = 0;            // shapes checked
    uint64_t unwalked = 0;           // shapes whose schedule exceeded the walk limit (every other check ran)
    uint64_t tiles = 0;              // output tiles over all blocks
    uint64_t covered_elements = 0;   // sum of tile areas: N * Cout * Ho * Wo when the tiling is right
    uint64_t slabs_checked = 0;      // (M range, K chunk window) fmap slabs measured (fmap_slab_meter.h)
    uint64_t max_block_tiles = 0;    // tiles of the busiest block (GetBlockWork) of any shape checked
    uint64_t max_fmap_slab_bytes = 0;  // largest fmap slab measured
};

// Schedules of more tiles than `max_walk_tiles` get every check except the tile walk (coverage, per-tile
// slab sizes) and are counted in stats->unwalked: walking 1e8 tiles takes a few seconds. Fmap slabs are
// measured for every (tile, chunk) pair when the shape has at most kSlabChecksPerShape distinct (M range,
// chunk window) pairs or tiles x min(k_chunks, 3) < kSlabChecksPerShape, otherwise for every tile against
// its first and last chunk plus an evenly spread sample against every chunk (FmapSlabMeter).
inline constexpr uint64_t kDefaultMaxWalkTiles = 400'000'000;
inline constexpr uint64_t kSlabChecksPerShape = 200'000;

// `every_slab`: measure the fmap slab of every (tile, chunk) pair one by one (no deduplication, no sample):
// the reference the tests hold the deduplicated measurement to.
Status CheckTilingInvariants(const ConvShape& shape, const SocSpec& soc, const tiling::TilingResult& result,
                             InvariantStats* stats = nullptr, uint64_t max_walk_tiles = kDefaultMaxWalkTiles,
                             bool every_slab = false);

}  // namespace qconv::verify
