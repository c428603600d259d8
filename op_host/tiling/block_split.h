// Block split: the output is cut over the cube cores along batch x N (16-channel units) x M (the mode's m
// units). Every axis hands out ceil(units / dim) units per block and the dims are normalised (dim =
// ceil(units / per_block)), so no block is idle:
//   batch_dim * n_dim * m_dim <= cube_cores
// K slices (k_dim, 2201) multiply a split by the slices of its K chunks; the engine adds them (tiling_engine.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "op_host/tiling/tile_plan.h"

namespace qconv::tiling {

// Every distinct normalised split with at most `cores` blocks.
std::vector<BlockSplit> EnumerateBlockSplits(uint32_t batch, uint32_t n_units, uint32_t m_units, uint32_t cores);

}  // namespace qconv::tiling
