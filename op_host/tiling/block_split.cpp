#include "op_host/tiling/block_split.h"

#include <algorithm>

#include "op_host/tiling/tiling_problem.h"

namespace qconv::tiling {
namespace {

// (dim, per_block) with dim = ceil(units / per_block): the split of one axis into `want` parts, normalised.
void Normalise(uint32_t units, uint32_t want, uint32_t* dim, uint32_t* per_block) {
    *per_block = static_cast<uint32_t>(CeilDiv(units, want));
    *dim = static_cast<uint32_t>(CeilDiv(units, *per_block));
}

}  // namespace

std::vector<BlockSplit> EnumerateBlockSplits(uint32_t batch, uint32_t n_units, uint32_t m_units, uint32_t cores) {
    std::vector<BlockSplit> splits;
    cores = std::max<uint32_t>(cores, 1);
    for (uint32_t b = 1; b <= std::min(batch, cores); ++b) {
        BlockSplit s;
        Normalise(batch, b, &s.batch_dim, &s.batch_per_block);
        if (s.batch_dim != b) {
            continue;  // the same split is reached from its normalised count
        }
        for (uint32_t n = 1; n <= std::min(n_units, cores / b); ++n) {
            Normalise(n_units, n, &s.n_dim, &s.n_per_block);
            if (s.n_dim != n) {
                continue;
            }
            for (uint32_t m = 1; m <= std::min(m_units, cores / (b * n)); ++m) {
                Normalise(m_units, m, &s.m_dim, &s.m_per_block);
                if (s.m_dim != m) {
                    continue;
                }
                splits.push_back(s);
            }
        }
    }
    return splits;
}

}  // namespace qconv::tiling
