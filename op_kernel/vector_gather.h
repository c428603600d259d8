// Offset tables for Gather (Memory矢量计算/离散与聚合/Gather.md; half elements on the Atlas
// 推理系列产品 AI Core), which moves data in UB at 2-byte granularity where every other vector instruction
// starts on a 32-B block. The 2002 stages use it to turn runs whose length is not a whole block into one
// contiguous block run, so that GM sees one DMA instead of one per run (2002 has no DataCopyPad), and to
// repack bytes no DMA can (both arches):
//   - phase 1: a 32-channel group of a small NCHW plane, read in one DMA, widened to half, gathered into
//     [position][32 channels], narrowed back to int8 (BuildPlaneTransposeOffsets);
//   - the epilogue: a 16-channel group of a whole image, [row][16 channels] -> [16 channels][rows] contiguous,
//     so the group is one run of y (BuildChannelPackOffsets);
//   - the kw-packed fmap and filter (tiling fmap_path kFmapKwPacked): a row's kw taps x Cin channels into one
//     C0 group (BuildKwPackRowOffsets, BuildKwPackFilterOffsets);
//   - the subsampled fmap (tiling fmap_path kFmapSubsampled): every stride_w-th column of a kept row of 32
//     channels into [wout][32 channels] (BuildSubsampleRowOffsets, BuildSubsamplePlaneOffsets).
// Offsets are bytes from the gather source. The tables are built once per launch by the vector unit from
// eight scalar stores and Adds that each start on a 32-B block (int32 lanes), so no instruction needs an
// unaligned start.
#pragma once

#include "kernel_operator.h"

namespace qconv::kernel {

namespace gather_detail {

// Orders the scalar unit's UB stores after the vector unit's earlier work on the same bytes, and back.
__aicore__ inline void VectorThenScalar() {
    const int32_t v_to_s = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_S));
    AscendC::SetFlag<AscendC::HardEvent::V_S>(v_to_s);
    AscendC::WaitFlag<AscendC::HardEvent::V_S>(v_to_s);
}
__aicore__ inline void ScalarThenVector() {
    const int32_t s_to_v = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_V));
    AscendC::SetFlag<AscendC::HardEvent::S_V>(s_to_v);
    AscendC::WaitFlag<AscendC::HardEvent::S_V>(s_to_v);
}

// Blocks [n, 2n) of `block` entries (a multiple of 8) = blocks [0, n) + step * n, until `blocks` blocks (block 0
// seeded by the caller).
__aicore__ inline void DoubleBlocks(const AscendC::LocalTensor<int32_t>& table, uint32_t block, int32_t step,
                                    uint32_t blocks) {
    for (uint32_t n = 1; n < blocks; n *= 2) {
        const uint32_t count = blocks - n < n ? blocks - n : n;
        AscendC::Adds(table[block * n], table, step * static_cast<int32_t>(n), static_cast<int32_t>(block * count));
        AscendC::PipeBarrier<PIPE_V>();  // 2002: the next Adds reads this one's result
    }
}

// Rows [n, 2n) of 32 entries = rows [0, n) + step * n, until `rows` rows (row 0 seeded by the caller).
__aicore__ inline void DoubleRows(const AscendC::LocalTensor<int32_t>& table, int32_t step, uint32_t rows) {
    DoubleBlocks(table, 32, step, rows);
}

// table[e] = step * e for e < 8, by the scalar unit, then visible to the vector unit.
__aicore__ inline void SeedProgression(const AscendC::LocalTensor<int32_t>& table, int32_t step) {
    VectorThenScalar();  // the vector unit may still read what these bytes held before (an earlier phase's buffers)
    for (uint32_t e = 0; e < 8; ++e) {
        table.SetValue(e, step * static_cast<int32_t>(e));
    }
    ScalarThenVector();
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
    gather_detail::DoubleRows(table, 2, plane);  // position p's row is row 0 plus 2p
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

// The subsampled row (tiling fmap_path kFmapSubsampled): source = a kept input row (or a span of rows) of the
// group's channels widened to half, channel c from element c * pitch; table[wo * 32 + c] = 2 * (c * pitch +
// wo * stride_w) for c < lanes, lanes >= `lanes` (past Cin, zeroed after the gather) point at channel 0's so
// they stay inside a source of `lanes` channels. Row 0 is seeded by the scalar unit, then each output column
// adds 2 * stride_w. Needs wout * 32 entries.
__aicore__ inline void BuildSubsampleRowOffsets(const AscendC::LocalTensor<int32_t>& table, uint32_t pitch,
                                                uint32_t stride_w, uint32_t wout, uint32_t lanes = 32) {
    gather_detail::VectorThenScalar();
    for (uint32_t c = 0; c < 32; ++c) {
        table.SetValue(c, c < lanes ? 2 * static_cast<int32_t>(c * pitch) : 0);
    }
    gather_detail::ScalarThenVector();
    gather_detail::DoubleRows(table, 2 * static_cast<int32_t>(stride_w), wout);
}

// The subsampled whole planes (kFmapSubsampled, small images): source = 32 channels' H * W planes widened to half,
// channel c from element c * plane; table[(ho * wout + wo) * 32 + c] = 2 * (c * plane + ho * row_step + wo * stride_w)
// with row_step = stride_h * W: the row table above, then each output row adds 2 * row_step.
__aicore__ inline void BuildSubsamplePlaneOffsets(const AscendC::LocalTensor<int32_t>& table, uint32_t plane,
                                                  uint32_t row_step, uint32_t stride_w, uint32_t hout, uint32_t wout) {
    BuildSubsampleRowOffsets(table, plane, stride_w, wout);
    gather_detail::DoubleBlocks(table, 32 * wout, 2 * static_cast<int32_t>(row_step), hout);
}

// Zeroes lanes [first, 32) of `rows` rows of 32 halves (channels past the real ones after a gather); 128-lane
// repeats of 4 rows, masked.
__aicore__ inline void ZeroLanesFrom(const AscendC::LocalTensor<half>& rows32, uint32_t first, uint32_t rows) {
    if (first >= 32) {
        return;
    }
    const uint64_t row = ~((uint64_t{1} << first) - 1) & 0xFFFFFFFFull;
    uint64_t mask[2] = {row | row << 32, row | row << 32};
    AscendC::Duplicate(rows32, static_cast<half>(0), mask, static_cast<uint8_t>((rows + 3) / 4), 1, 8);
    AscendC::PipeBarrier<PIPE_V>();
}

// The kw-packed row (tiling fmap_path kFmapKwPacked): source = the `cin` channels' input rows widened to half,
// channel ci from element ci * pitch, then a padding band at element cin * pitch holding offset_x;
// table[wo * 32 + j * cin + ci] = 2 * (ci * pitch + w) for w = wo * stride + j * dilation - pad inside [0, win),
// else the band's start; lanes >= kw * cin point into channel 0 (zeroed after the gather). The gather's base
// (2 * r * win) selects input row r of an item; it moves the padding entries along the band, which is long
// enough to hold them. Row 0 is seeded by the
// scalar unit, rows are doubled (+2 * stride per output column), and the rows with a tap outside the input
// (the first and last few) are rewritten by the scalar unit.
struct KwPackRowGeometry {
    uint32_t cin, pitch, win, wout, kw, stride, pad, dilation;
};
__aicore__ inline void BuildKwPackRowOffsets(const AscendC::LocalTensor<int32_t>& table, const KwPackRowGeometry& g) {
    const uint32_t taps = g.kw * g.cin;
    const int32_t pad_slot = static_cast<int32_t>(2 * g.cin * g.pitch);
    auto entry = [&](uint32_t wo, uint32_t c) -> int32_t {
        const uint32_t j = c / g.cin;
        const uint32_t ci = c % g.cin;
        const int64_t w = static_cast<int64_t>(wo) * g.stride + static_cast<int64_t>(j) * g.dilation - g.pad;
        return w >= 0 && w < static_cast<int64_t>(g.win) ? static_cast<int32_t>(2 * (ci * g.pitch + w)) : pad_slot;
    };
    gather_detail::VectorThenScalar();
    for (uint32_t c = 0; c < 32; ++c) {
        const uint32_t j = c / g.cin;
        table.SetValue(c, c < taps ? static_cast<int32_t>(2 * ((c % g.cin) * g.pitch + j * g.dilation)) -
                                         static_cast<int32_t>(2 * g.pad)
                                   : 0);
    }
    gather_detail::ScalarThenVector();
    gather_detail::DoubleRows(table, static_cast<int32_t>(2 * g.stride), g.wout);
    gather_detail::VectorThenScalar();
    for (uint32_t wo = 0; wo < g.wout; ++wo) {
        const int64_t first = static_cast<int64_t>(wo) * g.stride - g.pad;
        const int64_t last = first + static_cast<int64_t>(g.kw - 1) * g.dilation;
        if (first >= 0 && last < static_cast<int64_t>(g.win)) {
            continue;  // every tap inside: the doubled row is right
        }
        for (uint32_t c = 0; c < taps; ++c) {
            table.SetValue(wo * 32 + c, entry(wo, c));
        }
    }
    gather_detail::ScalarThenVector();
}

// The kw-packed filter's fractal of 16 output channels x (j * cin + ci) from a source widened to half:
// table[r * 32 + j * cin + ci] = 2 * (r * row_step + ci * ci_step + j * j_step); lanes >= kw * cin point at
// row r's start (zeroed after the gather). A plain filter holds 16 rows of Cin * kh * kw (kernel row i by the
// gather's srcBaseAddr 2 * i * kw); a FRACTAL_Z one kw fractal rows of [16][32].
__aicore__ inline void BuildKwPackFilterOffsets(const AscendC::LocalTensor<int32_t>& table, uint32_t cin, uint32_t kw,
                                                uint32_t row_step, uint32_t ci_step, uint32_t j_step) {
    gather_detail::VectorThenScalar();
    for (uint32_t c = 0; c < 32; ++c) {
        table.SetValue(c, c < kw * cin ? static_cast<int32_t>(2 * ((c % cin) * ci_step + (c / cin) * j_step)) : 0);
    }
    gather_detail::ScalarThenVector();
    gather_detail::DoubleRows(table, static_cast<int32_t>(2 * row_step), 16);
}

}  // namespace qconv::kernel
