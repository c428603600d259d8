// The per-level decisions of one tiling candidate. The engine fills them level by level (l0_tiling,
// l1_tiling, ub_tiling, block_split), the cost model scores them, tiling_engine.cpp writes the winner into
// the POD.
#pragma once

#include <cstdint>

#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

struct L0Plan {
    uint32_t m_l0 = 0;  // elements, multiple of 16
    uint32_t n_l0 = 0;  // elements, multiple of 16
    uint32_t k_l0 = 0;  // elements, multiple of 32, <= the largest K chunk
    uint32_t l0a_buffers = 0;
    uint32_t l0b_buffers = 0;
    uint32_t l0c_buffers = 0;
};

struct L1Plan {
    uint32_t c1_per_chunk = 0;
    uint32_t kh_per_chunk = 0;
    uint32_t kw_per_chunk = 0;
    uint32_t k_chunks = 0;
    uint64_t chunk_k = 0;            // largest chunk's K in elements (<= Load3D limit)
    uint64_t fmap_slab_bytes = 0;    // worst tile
    uint64_t weight_slab_bytes = 0;
    uint32_t fmap_buffers = 0;
    uint32_t weight_buffers = 0;
    bool weight_resident = false;
};

struct UbPlan {
    uint32_t ub_m = 0;
    uint32_t ub_n = 0;
    uint32_t ub_buffers = 0;
    uint64_t ub_bytes = 0;
};

struct BlockSplit {
    uint32_t batch_dim = 1;
    uint32_t n_dim = 1;
    uint32_t m_dim = 1;
    uint32_t batch_per_block = 0;
    uint32_t n_per_block = 0;  // units of 16 channels
    uint32_t m_per_block = 0;  // m units of the mode
    uint32_t k_dim = 1;               // K slices (QuantConv2dTilingData::k_dim)
    uint32_t k_chunks_per_block = 0;  // K chunks per slice when k_dim > 1
    uint32_t blocks() const { return batch_dim * n_dim * m_dim * k_dim; }
};

struct TilePlan {
    QuantConv2dMTileMode mode = kMTileAcrossRows;
    uint32_t m_units = 0;  // of one image, in the mode's unit
    uint32_t m_images = 1; // whole images per M tile (QuantConv2dTilingData::m_images)
    L0Plan l0;
    L1Plan l1;
    UbPlan ub;
    BlockSplit split;
};

}  // namespace qconv::tiling
