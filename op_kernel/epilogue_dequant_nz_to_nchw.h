// The dequant epilogue on the vector unit: int32 accumulator tile (NZ) -> float16 y (NCHW).
//   + bias (int32) -> Cast f32 -> * scale (fp19, per channel) -> clamp +-65504 -> Cast f16 (RNE) -> y
// Shared by the two AIVs of arch 2201 (tile read from the ws.acc ring) and the coupled core of arch 2002
// (tile already in UB after L0C -> UB).
//
// The tile is processed in passes of the tiling's ub_m rows x ub_n channels: one DMA brings a pass's int32
// rows of ub_n / 16 channel groups in (2201; with K slices those of every slice, added here) and one DMA writes
// its y out, since every DMA pays a fixed cost that dwarfs a small pass's bytes. Inside a pass the vector unit
// works one group (one NZ fractal column: rows of 16 contiguous int32) at a time. In that [row][16 channels]
// layout a per-channel operand is the same 16 values in every row, so scale and bias are kept as 64-lane rows
// (16 channels x 4) and applied with a repeat stride of 0 (Mul/Add 高维切分, src1RepStride = 0). After the final
// Cast one TransDataTo5HD per 16 rows turns [row][16 ch] half into [ch][row], whose rows are the contiguous NCHW
// runs y[b][co][m...]; the groups of a pass stack into [groups * 16 ch][row], one strided run per channel.
//
// Arch 2002, a tile holding a whole image of a small output (Ho*Wo not a multiple of 16, all rows in one pass):
// instead of the transpose, one Gather per group packs the 16 channel rows back to back (vector_gather.h), so
// the pass is one contiguous run of y, written in one DMA instead of one or two per channel (no DataCopyPad).
//
// fp19 scale: the value the hardware uses is the float32 whose bits are (u32(word) & 0xFFFFE000), where
// word is the low 32 bits of an int64 (QUANT_PRE) scale or the bits of a float32 scale.
#pragma once

#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"
#include "vector_gather.h"
#include "vector_gm_io.h"
#include "vector_transpose.h"
#include "vector_ub_budget.h"

namespace qconv::kernel {

class DequantEpilogue {
public:
    static constexpr uint32_t kChannels = vector_ub::kDequantChannels;  // one NZ fractal column
    static constexpr uint32_t kLanes = vector_ub::kDequantLanes;        // 32-bit lanes of one repeat = 4 rows
    static constexpr uint32_t kScaleMask = 0xFFFFE000u;
    static constexpr float kHalfMax = 65504.0f;
#if __CCE_AICORE__ == 220
    // 2201 allows RINT on both conversions (Cast.md).
    static constexpr AscendC::RoundMode kToFloat = AscendC::RoundMode::CAST_RINT;
    static constexpr AscendC::RoundMode kToHalf = AscendC::RoundMode::CAST_RINT;
#else
    // 2002 allows only NONE (s32 -> f32) and ODD/NONE (f32 -> f16); NONE rounds to nearest even when lossy.
    static constexpr AscendC::RoundMode kToFloat = AscendC::RoundMode::CAST_NONE;
    static constexpr AscendC::RoundMode kToHalf = AscendC::RoundMode::CAST_NONE;
#endif

    // The tiling's problem (cout, Ho * Wo, bias, scale kind), tile (m_l0, n_l0) and UB pass (ub_m, ub_n,
    // ub_buffers). UB taken: vector_ub::DequantBytes (vector_ub_budget.h), one InitBuffer per term.
    __aicore__ inline void Init(AscendC::TPipe* pipe, GM_ADDR scale, GM_ADDR bias, GM_ADDR y,
                                const QuantConv2dTilingData& td, bool acc_from_workspace) {
        td_ = &td;
        out_hw_ = td.hout * td.wout;
        rows_ = vector_ub::DequantPassRows(td.ub_m);
        groups_ = vector_ub::DequantPassGroups(td.ub_n);
        scale_words_.SetGlobalBuffer(reinterpret_cast<__gm__ uint32_t*>(scale),
                                     static_cast<uint64_t>(td.cout) * (ScaleIsInt64() ? 2 : 1));
        if (td.has_bias != 0) {
            bias_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(bias), td.cout);
        }
        y_gm_.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(y), static_cast<uint64_t>(td.batch) * td.cout * out_hw_);
        const uint8_t bufs = static_cast<uint8_t>(vector_ub::DequantBuffers(td.ub_buffers));
        slices_ = schedule::KSlices(td);
        if (acc_from_workspace) {
            pipe->InitBuffer(acc_queue_, bufs, vector_ub::DequantAccPassBytes(rows_, groups_ * slices_));
        } else {
            pipe->InitBuffer(pack_table_, vector_ub::DequantPackTableBytes(rows_));
        }
        pipe->InitBuffer(narrow_, vector_ub::DequantHalfPassBytes(rows_, 1));
        pipe->InitBuffer(out_queue_, bufs, vector_ub::DequantHalfPassBytes(rows_, groups_));
        pipe->InitBuffer(scale_rows_, vector_ub::DequantChannelRowsBytes(td.n_l0));
        pipe->InitBuffer(bias_rows_, vector_ub::DequantChannelRowsBytes(td.n_l0));
    }

    // Arch 2201 AIV: rows [m_offset, m_offset + m_len) and channels [n_offset, n_offset + n_len) (n_offset a
    // multiple of 16) of a tile in a ws.acc ring slot, NZ: element (m, n) at ((n / 16) * m_l0 + m) * 16 + n % 16;
    // the tile's row 0 is slot row `slot_row` (an image of a several-image tile starts further down).
    __aicore__ inline void ProcessFromWorkspace(const AscendC::GlobalTensor<int32_t>& slot, const schedule::OutputTile& tile,
                                                uint32_t m_offset, uint32_t m_len, uint32_t n_offset, uint32_t n_len,
                                                uint32_t slot_row) {
        if (m_len == 0 || n_len == 0) {
            return;
        }
        const uint32_t g_begin = n_offset / kChannels;
        const uint32_t g_end = CeilDiv(n_offset + n_len, kChannels);
        LoadChannelRows(tile, g_begin, g_end);
        for (uint32_t g0 = g_begin; g0 < g_end; g0 += groups_) {
            const uint32_t groups = Min(groups_, g_end - g0);
            for (uint32_t m0 = m_offset; m0 < m_offset + m_len; m0 += rows_) {
                const uint32_t rows = Min(rows_, m_offset + m_len - m0);
                const uint32_t padded_rows = RoundUp(rows, kChannels);
                // The pass's groups (and with K slices each group's partials) lie m_l0 rows apart in the slot:
                // one strided DMA (blocks of 32 B; a row of 16 int32 is two).
                AscendC::LocalTensor<int32_t> acc = acc_queue_.AllocTensor<int32_t>();
                const uint16_t row_blocks = static_cast<uint16_t>(kChannels * sizeof(int32_t) / kBlockBytes);
                AscendC::DataCopy(acc, slot[(g0 * schedule::AccGroupPitchRows(*td_) + slot_row + m0) * kChannels],
                                  AscendC::DataCopyParams{static_cast<uint16_t>(groups * slices_),
                                                          static_cast<uint16_t>(padded_rows * row_blocks),
                                                          static_cast<uint16_t>((td_->m_l0 - padded_rows) * row_blocks), 0});
                acc_queue_.EnQue(acc);
                acc = acc_queue_.DeQue<int32_t>();
                const uint32_t unit = padded_rows * kChannels;  // one group of one slice in UB
                AscendC::LocalTensor<half> out = out_queue_.AllocTensor<half>();
                for (uint32_t j = 0; j < groups; ++j) {
                    AscendC::LocalTensor<int32_t> sum = acc[j * slices_ * unit];
                    for (uint32_t s = 1; s < slices_; ++s) {  // K slices: the full-K accumulator, exact in int32
                        AscendC::Add(sum, sum, acc[(j * slices_ + s) * unit], static_cast<int32_t>(unit));
                        AscendC::PipeBarrier<PIPE_V>();
                    }
                    DequantGroup(sum, g0 + j, tile.m_start + m0, rows, out, j);
                }
                acc_queue_.FreeTensor(acc);
                WritePass(out, tile, g0, groups, m0, rows);
            }
        }
    }

    // Arch 2002: the whole tile, already in UB in the same NZ order (acc[0] = element (0, 0)). The tile is
    // overwritten in place.
    __aicore__ inline void ProcessInUb(const AscendC::LocalTensor<int32_t>& acc, const schedule::OutputTile& tile) {
        // The L0C -> UB copy that wrote acc is a PIPE_V instruction too: the vector reads below depend on it, and
        // on 2002 the compiler does not insert PIPE_V-to-PIPE_V barriers (asc-devkit 核内同步/关键特性说明.md:
        // automatic for arch 2201 only).
        AscendC::PipeBarrier<PIPE_V>();
        const uint32_t tile_groups = CeilDiv(tile.n_len, kChannels);
        LoadChannelRows(tile, 0, tile_groups);
        for (uint32_t g0 = 0; g0 < tile_groups; g0 += groups_) {
            const uint32_t groups = Min(groups_, tile_groups - g0);
            for (uint32_t m0 = 0; m0 < tile.m_len; m0 += rows_) {
                const uint32_t rows = Min(rows_, tile.m_len - m0);
                AscendC::LocalTensor<half> out = out_queue_.AllocTensor<half>();
                for (uint32_t j = 0; j < groups; ++j) {
                    DequantGroup(acc[((g0 + j) * td_->m_l0 + m0) * kChannels], g0 + j, tile.m_start + m0, rows, out, j);
                }
                WritePass(out, tile, g0, groups, m0, rows);
            }
        }
    }

private:
    // Scale and bias rows of channel groups [g_begin, g_end) of the tile, filled by the scalar unit. Tiles that
    // share an N range (consecutive in the schedule) reuse them.
    __aicore__ inline void LoadChannelRows(const schedule::OutputTile& tile, uint32_t g_begin, uint32_t g_end) {
        if (tile.n_start == rows_n_start_ && g_begin == rows_g_begin_ && g_end == rows_g_end_) {
            return;
        }
        rows_n_start_ = tile.n_start;
        rows_g_begin_ = g_begin;
        rows_g_end_ = g_end;
        // The vector unit may still be reading the previous rows.
        const int32_t v_to_s = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_S));
        AscendC::SetFlag<AscendC::HardEvent::V_S>(v_to_s);
        AscendC::WaitFlag<AscendC::HardEvent::V_S>(v_to_s);
        AscendC::LocalTensor<uint32_t> scale_rows = scale_rows_.Get<uint32_t>();
        AscendC::LocalTensor<int32_t> bias_rows = bias_rows_.Get<int32_t>();
        const uint32_t word_step = ScaleIsInt64() ? 2 : 1;  // low word of a little-endian int64
        for (uint32_t g = g_begin; g < g_end; ++g) {
            for (uint32_t c = 0; c < kChannels; ++c) {
                const uint32_t co = tile.n_start + g * kChannels + c;
                const bool valid = co < td_->cout;
                const uint32_t scale_bits = valid ? scale_words_.GetValue(co * word_step) & kScaleMask : 0;
                const int32_t bias_value = (valid && td_->has_bias != 0) ? bias_gm_.GetValue(co) : 0;
                for (uint32_t row = 0; row < kLanes / kChannels; ++row) {
                    scale_rows.SetValue(g * kLanes + row * kChannels + c, scale_bits);
                    bias_rows.SetValue(g * kLanes + row * kChannels + c, bias_value);
                }
            }
        }
        const int32_t s_to_v = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_V));
        AscendC::SetFlag<AscendC::HardEvent::S_V>(s_to_v);
        AscendC::WaitFlag<AscendC::HardEvent::S_V>(s_to_v);
    }

    // 2002: a pass holding a whole image of an output whose Ho*Wo is not a multiple of 16 packs each group's
    // channel rows back to back (Gather) instead of transposing them: the pass is then one run of y.
    __aicore__ inline bool PacksWholeImage(uint32_t m0, uint32_t rows) const {
#if __CCE_AICORE__ == 200
        return out_hw_ % kChannels != 0 && m0 == 0 && rows == out_hw_;
#else
        (void)m0, (void)rows;
        return false;
#endif
    }

    // acc: `rows` rows of channel group g from image position m0, [row][16] int32 in UB; overwritten. Leaves the group's float16 values
    // as slot j of the pass in `out`: transposed, channel c at out[(j * 16 + c) * rows_] (a channel row of
    // rows_ halves); packed (PacksWholeImage), channel c's rows at out[j * 16 * rows + c * rows].
    __aicore__ inline void DequantGroup(const AscendC::LocalTensor<int32_t>& acc, uint32_t g, uint32_t m0, uint32_t rows,
                                        const AscendC::LocalTensor<half>& out, uint32_t j) {
        const uint32_t padded_rows = RoundUp(rows, kChannels);
        const uint32_t elems = padded_rows * kChannels;
        const uint8_t repeats = static_cast<uint8_t>(elems / kLanes);
        const AscendC::BinaryRepeatParams per_channel_row(1, 1, 1, 8, 8, 0);  // src1 re-read every repeat
        if (td_->has_bias != 0) {
            AscendC::Add(acc, acc, bias_rows_.Get<int32_t>()[g * kLanes], kLanes, repeats, per_channel_row);
            AscendC::PipeBarrier<PIPE_V>();
        }
        AscendC::LocalTensor<float> value = acc.ReinterpretCast<float>();
        AscendC::Cast(value, acc, kToFloat, elems);
        AscendC::PipeBarrier<PIPE_V>();
        AscendC::Mul(value, value, scale_rows_.Get<float>()[g * kLanes], kLanes, repeats, per_channel_row);
        AscendC::PipeBarrier<PIPE_V>();
        AscendC::Maxs(value, value, -kHalfMax, static_cast<int32_t>(elems));
        AscendC::PipeBarrier<PIPE_V>();
        AscendC::Mins(value, value, kHalfMax, static_cast<int32_t>(elems));
        AscendC::PipeBarrier<PIPE_V>();
        AscendC::LocalTensor<half> narrow = narrow_.Get<half>();
        AscendC::Cast(narrow, value, kToHalf, elems);
        AscendC::PipeBarrier<PIPE_V>();
        if (PacksWholeImage(m0, rows)) {
#if __CCE_AICORE__ == 200
            if (pack_rows_ != rows) {  // out_hw is fixed for the launch: built once
                BuildChannelPackOffsets(pack_table_.Get<int32_t>(), rows);
                pack_rows_ = rows;
            }
            AscendC::Gather(out[j * kChannels * rows], narrow, pack_table_.Get<uint32_t>(), 0, kChannels * rows);
            // The next group's Cast rewrites `narrow`, which this Gather reads.
            AscendC::PipeBarrier<PIPE_V>();
#endif
            return;
        }
        // src rows: tile rows (16 halves = one block each); dst rows: channels, rows_ apart.
        Transpose16x16(out[j * kChannels * rows_], rows_, narrow, kChannels, padded_rows / kChannels, 1, kChannels);
        AscendC::PipeBarrier<PIPE_V>();  // the next group's Cast rewrites `narrow`, which the transpose reads
    }

    // The y of a pass: `groups` groups from g0 of the tile, rows [m0, m0 + rows), in one copy.
    __aicore__ inline void WritePass(AscendC::LocalTensor<half>& out, const schedule::OutputTile& tile, uint32_t g0, uint32_t groups,
                                     uint32_t m0, uint32_t rows) {
        const uint32_t co0 = tile.n_start + g0 * kChannels;
        const uint32_t channels = Min(groups * kChannels, Min(tile.n_len - g0 * kChannels, td_->cout - co0));
        const uint64_t dst = (static_cast<uint64_t>(tile.batch) * td_->cout + co0) * out_hw_ + tile.m_start + m0;
        out_queue_.EnQue(out);
        out = out_queue_.DeQue<half>();
        if (PacksWholeImage(tile.m_start + m0, rows)) {
            CopyRunsOut(y_gm_[dst], channels * rows, out, groups * kChannels * rows, 1, channels * rows);
        } else {
            CopyRunsOut(y_gm_[dst], out_hw_, out, rows_, channels, rows);
        }
        out_queue_.FreeTensor(out);
    }

    __aicore__ inline bool ScaleIsInt64() const { return td_->scale_kind == 0; }

    const QuantConv2dTilingData* td_ = nullptr;
    uint32_t out_hw_ = 0;  // Ho * Wo: one image's M
    uint32_t rows_ = 0;    // rows of one pass
    uint32_t groups_ = 1;  // channel groups of one pass
    uint32_t slices_ = 1;  // K slices whose partials a pass adds (schedule::KSlices)
    uint32_t rows_n_start_ = 0xFFFFFFFFu;
    uint32_t rows_g_begin_ = 0;
    uint32_t rows_g_end_ = 0;
    uint32_t pack_rows_ = 0;  // 2002: the rows pack_table_ holds offsets for (0: not built)
    AscendC::GlobalTensor<uint32_t> scale_words_;
    AscendC::GlobalTensor<int32_t> bias_gm_;
    AscendC::GlobalTensor<half> y_gm_;
    AscendC::TQue<AscendC::TPosition::VECIN, 1> acc_queue_;
    AscendC::TQue<AscendC::TPosition::VECOUT, 1> out_queue_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> narrow_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> scale_rows_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> bias_rows_;
    AscendC::TBuf<AscendC::TPosition::VECCALC> pack_table_;  // 2002 only
};

}  // namespace qconv::kernel
