// L1 tiles: how K is walked in chunks, and the fmap and weight slabs one chunk needs (their bytes and the L1
// total as op_kernel/cube_buffer_budget.h states them: FmapSlabBytes, WeightSlabBytes, L1Bytes <= l1_bytes).
//   fmap slab   rows/cols of the worst tile (WorstSlab below), c1_per_chunk channel groups, images the whole
//               images of a tile (m_images; else 1)
//   weight slab c1_per_chunk * kh_per_chunk * kw_per_chunk FRACTAL_Z rows of n_l0 / 16 fractals
//   Load3D: chunk K = c1_per_chunk * kh_per_chunk * kw_per_chunk * 32 <= load3d_k_limit (65535: kStartPt, kExtension
//           and channelSize = 32 * c1_per_chunk are 16-bit fields),
//           slab rows, cols <= 32767 (l1H / l1W fields)
#pragma once

#include <cstdint>

#include "op_host/core/soc_spec.h"
#include "op_host/tiling/tile_plan.h"
#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {

inline constexpr uint32_t kLoad3dMaxL1Extent = 32767;

struct SlabExtent {
    uint64_t rows = 0;
    uint64_t cols = 0;
};

// Input rows and columns the slab of the worst tile of `m_l0` positions holds for `kh_rows` kernel rows and
// `kw_cols` kernel columns. kMTileAcrossRows: a run of m_l0 positions spans at most
// floor((m_l0 + Wo - 2) / Wo) + 1 output rows; whole input rows are loaded, or with kw_cols < kw the columns
// of one chunk for every output column. kMTileInRow: one output row, min(m_l0, Wo) outputs wide.
// On arch 2002 an across-rows slab may start up to schedule::SlabRowAlign - 1 output rows earlier (mStartPt rule).
SlabExtent WorstSlab(const Problem& p, uint32_t npu_arch, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t kh_rows,
                     uint32_t kw_cols);

// kMTileAcrossRows: whether every kernel-column chunk of `kw_cols` columns reads real input columns (then a slab
// row holds only the columns the chunk reads, schedule::ColumnWindowHasData), and the widest slab row.
bool ColumnWindowsHaveData(const Problem& p, uint32_t kw_cols);
uint64_t AcrossRowsSlabCols(const Problem& p, uint32_t kw_cols);

// Picks the largest chunk that fits (fewest chunks: fewest DMA setups and, with one chunk, a weight slab
// that stays resident across m tiles), preferring double-buffered slabs so MTE2 overlaps the cube.
// Chunk kinds, in order: every channel group and kernel row (resident weight); c1_per_chunk channel groups
// with every kernel row; one channel group with kh_per_chunk kernel rows; one channel group and kernel row
// with kw_per_chunk kernel columns (wide dilated kernels, whose one-row slab alone outgrows L1 once a tile
// spans several output rows). False if nothing fits.
// max_c1_per_chunk caps the channel groups of a chunk (K slices need at least as many chunks as slices).
bool PlanL1(const Problem& p, const SocSpec& soc, QuantConv2dMTileMode mode, uint32_t m_l0, uint32_t n_l0,
            uint32_t images, uint32_t max_c1_per_chunk, L1Plan* plan);

}  // namespace qconv::tiling
