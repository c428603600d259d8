// What every tiling must satisfy, checked by walking the schedule the kernel walks
// (op_kernel/quant_conv2d_schedule.h): buffer budgets counting every buffer, the block split within the
// SoC's cores, every output element produced exactly once, every K step exactly once within the Load3D
// limit, and every GM/workspace byte offset representable in int64. Used by the property tests (in
// batches, so that tens of thousands of shapes stay fast) and by `qconv-kit tiling`.
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
    uint64_t slabs_checked = 0;      // (tile, K chunk) fmap slabs measured against the L1 budget
};

// Schedules of more tiles than `max_walk_tiles` get every check except the tile walk (coverage, per-tile
// slab sizes) and are counted in stats->unwalked: walking 1e8 tiles takes minutes. Slab sizes are measured
// for every tile up to kSlabChecksPerShape (tile, chunk) pairs, then for an evenly spread sample.
inline constexpr uint64_t kDefaultMaxWalkTiles = 400'000'000;
inline constexpr uint64_t kSlabChecksPerShape = 100'000;

Status CheckTilingInvariants(const ConvShape& shape, const SocSpec& soc, const tiling::TilingResult& result,
                             InvariantStats* stats = nullptr, uint64_t max_walk_tiles = kDefaultMaxWalkTiles);

}  // namespace qconv::verify
