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
    uint64_t tiles = 0;              // output tiles over all blocks
    uint64_t covered_elements = 0;   // sum of tile areas: N * Cout * Ho * Wo when the tiling is right
    uint64_t slabs_checked = 0;      // (tile, K chunk) fmap slabs measured against the L1 budget
};

// Refuses (with a message saying so) schedules of more than this many tiles: walking them would take
// minutes, and a tiling that cuts an int32-sized output so finely is wrong anyway.
inline constexpr uint64_t kMaxTilesWalked = 400'000'000;

Status CheckTilingInvariants(const ConvShape& shape, const SocSpec& soc, const tiling::TilingResult& result,
                             InvariantStats* stats = nullptr);

}  // namespace qconv::verify
