// Arch 2002 only: offset tables for Gather (Memory矢量计算/离散与聚合/Gather.md; half elements on the Atlas
// 推理系列产品 AI Core), which moves data in UB at 2-byte granularity where every other vector instruction
// starts on a 32-B block. The 2002 stages use it to turn runs whose length is not a whole block into one
// contiguous block run, so that GM sees one DMA instead of one per run (2002 has no DataCopyPad):
//   - phase 1: a 32-channel group of a small NCHW plane, read in one DMA, widened to half, gathered into
//     [position][32 channels], narrowed back to int8 (BuildPlaneTransposeOffsets);
//   - the epilogue: a 16-channel group of a whole image, [row][16 channels] -> [16 channels][rows] contiguous,
//     so the group is one run of y (BuildChannelPackOffsets).
// Offsets are bytes from the gather source. The tables are built once per launch by the vector unit from
// eight scalar stores and Adds that each start on a 32-B block (int32 lanes), so no instruction needs an
// unaligned start.
#pragma once

#include "kernel_operator.h"

namespace qconv::kernel {

namespace gather_detail {

// table[e] = step * e for e < 8, by the scalar unit, then visible to the vector unit.
__aicore__ inline void SeedProgression(const AscendC::LocalTensor<int32_t>& table, int32_t step) {
    // The vector unit may still read what these bytes held before (the previous phase's buffers).
    const int32_t v_to_s = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_S));
    AscendC::SetFlag<AscendC::HardEvent::V_S>(v_to_s);
    AscendC::WaitFlag<AscendC::HardEvent::V_S>(v_to_s);
    for (uint32_t e = 0; e < 8; ++e) {
        table.SetValue(e, step * static_cast<int32_t>(e));
    }
    const int32_t s_to_v = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_V));
    AscendC::SetFlag<AscendC::HardEvent::S_V>(s_to_v);
    AscendC::WaitFlag<AscendC::HardEvent::S_V>(s_to_v);
}

// Extends table[0, 8) = step * e to table[0, total) by doubling: table[n, 2n) = table[0, n) + step * n.
__aicore__ inline void DoubleProgression(const AscendC::LocalTensor<int32_t>& table, int32_t step, uint32_t total) {
    for (uint32_t n = 8; n < total; n *= 2) {
        const uint32_t count = total - n < n ? total - n : n;
        AscendC::Adds(table[n], table, step * static_cast<int32_t>(n), static_cast<int32_t>(count));
        AscendC::PipeBarrier<PIPE_V>();  // 2002: the next Adds reads this one's result
    }
}

}  // namespace gather_detail

// [32 channels][plane] halves (channel c at element plane * c) -> [plane][32 channels]:
// table[p * 32 + c] = 2 * (plane * c + p) for p < plane. Needs 32 * plane entries (rows of 32 are whole blocks).
__aicore__ inline void BuildPlaneTransposeOffsets(const AscendC::LocalTensor<int32_t>& table, uint32_t plane) {
    const int32_t row_step = 2 * static_cast<int32_t>(plane);  // bytes from channel c to c + 1
    gather_detail::SeedProgression(table, row_step);
    gather_detail::DoubleProgression(table, row_step, 32);
    // Position p's row is row 0 plus 2p: rows [n, 2n) = rows [0, n) + 2n.
    for (uint32_t n = 1; n < plane; n *= 2) {
        const uint32_t rows = plane - n < n ? plane - n : n;
        AscendC::Adds(table[32 * n], table, static_cast<int32_t>(2 * n), static_cast<int32_t>(32 * rows));
        AscendC::PipeBarrier<PIPE_V>();
    }
}

// [rows][16 channels] halves (row m at element 16 * m) -> [16 channels][rows] contiguous:
// table[c * rows + m] = 2 * (16 * m + c) = 32 * e - c * (32 * rows - 2) for e = c * rows + m.
// Built as the progression 32 * e, then for c = 1..15 every e >= c * rows lowered by 32 * rows - 2. An Adds
// must start on a block (8 int32), so each step starts at the block below c * rows and a second Adds restores
// the few entries of channel c - 1 it also lowered.
__aicore__ inline void BuildChannelPackOffsets(const AscendC::LocalTensor<int32_t>& table, uint32_t rows) {
    constexpr uint32_t kChannels = 16;
    const uint32_t total = kChannels * rows;
    const int32_t step = 32 * static_cast<int32_t>(rows) - 2;
    gather_detail::SeedProgression(table, 32);
    gather_detail::DoubleProgression(table, 32, total);
    for (uint32_t c = 1; c < kChannels; ++c) {
        const uint32_t first = c * rows;
        const uint32_t start = first / 8 * 8;
        AscendC::Adds(table[start], table[start], -step, static_cast<int32_t>(total - start));
        AscendC::PipeBarrier<PIPE_V>();
        if (first > start) {
            AscendC::Adds(table[start], table[start], step, static_cast<int32_t>(first - start));
            AscendC::PipeBarrier<PIPE_V>();
        }
    }
}

}  // namespace qconv::kernel
