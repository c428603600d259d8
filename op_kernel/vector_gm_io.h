// GM <-> UB copies of `runs` equally spaced runs of `run_len` elements whose byte length and GM spacing
// need not be multiples of 32 B (NCHW rows, per-channel output runs). Used by the vector stages only.
//
// Arch 2201 has DataCopyPad for exactly this (DataCopyPad(GMToUB/UBToGM非对齐数据搬运).md). Arch 2002 has
// no DataCopyPad, and DataCopy moves whole 32-B blocks: reads may over-fetch as long as they stay inside
// the GM buffer; writes must not touch a neighbour's bytes. Scalar stores into GM are no way out: they reach
// GM in whole 64-byte DCache lines, stale neighbours included (GlobalTensor/SetValue.md), so CopyRunsOut writes
// a partial last block as a whole block ending at the run's end, overlapping values it already wrote.
#pragma once

#include "int8_fractal.h"
#include "kernel_operator.h"

namespace qconv::kernel {

constexpr uint32_t kBlockBytes = fractal::kDataBlockBytes;  // one DataBlock

__aicore__ inline uint32_t CeilDiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
__aicore__ inline uint32_t RoundUp(uint32_t a, uint32_t b) { return CeilDiv(a, b) * b; }
__aicore__ inline uint32_t Min(uint32_t a, uint32_t b) { return a < b ? a : b; }

// UB run r starts at dst[r * dst_pitch] (dst_pitch * sizeof(T) a multiple of 32); GM run r starts at
// src[r * src_pitch]; `src_available` is the number of elements from src[0] to the end of the GM buffer.
// Elements of a UB run beyond run_len are left unspecified.
template <typename T>
__aicore__ inline void CopyRunsIn(const AscendC::LocalTensor<T>& dst, uint32_t dst_pitch,
                                  const AscendC::GlobalTensor<T>& src, uint64_t src_pitch, uint32_t runs,
                                  uint32_t run_len, uint64_t src_available) {
    if (runs == 0 || run_len == 0) {
        return;
    }
#if __CCE_AICORE__ == 220
    (void)src_available;
    const uint32_t run_bytes = run_len * sizeof(T);
    const uint32_t dst_gap_blocks = (dst_pitch * sizeof(T) - RoundUp(run_bytes, kBlockBytes)) / kBlockBytes;
    const AscendC::DataCopyExtParams params{static_cast<uint16_t>(runs), run_bytes,
                                            static_cast<uint32_t>((src_pitch - run_len) * sizeof(T)),
                                            dst_gap_blocks, 0};
    const AscendC::DataCopyPadExtParams<T> no_padding{false, 0, 0, 0};
    AscendC::DataCopyPad(dst, src, params, no_padding);
#else
    constexpr uint32_t kPerBlock = kBlockBytes / sizeof(T);
    const uint32_t whole = RoundUp(run_len, kPerBlock);
    const uint64_t last_end = static_cast<uint64_t>(runs - 1) * src_pitch + whole;
    if (src_pitch % kPerBlock == 0 && dst_pitch % kPerBlock == 0 && src_pitch >= whole && dst_pitch >= whole &&
        last_end <= src_available && runs <= 4095 && whole / kPerBlock <= 65535 &&
        (src_pitch - whole) / kPerBlock <= 65535 && (dst_pitch - whole) / kPerBlock <= 65535) {
        // Block-aligned spacing: every run in one DMA (its fixed cost paid once), the over-fetch inside GM.
        AscendC::DataCopy(dst, src,
                          AscendC::DataCopyParams{static_cast<uint16_t>(runs), static_cast<uint16_t>(whole / kPerBlock),
                                                  static_cast<uint16_t>((src_pitch - whole) / kPerBlock),
                                                  static_cast<uint16_t>((dst_pitch - whole) / kPerBlock)});
        return;
    }
    // Runs r, r + classes, r + 2 * classes, ... lie a whole number of blocks apart in GM when classes * src_pitch
    // is whole blocks (28x28 int8 planes: every second channel): one DMA per class instead of one per run; the
    // last run of a class whose whole blocks would read past GM goes through the per-run path below.
    uint32_t classes = kPerBlock;
    while (classes > 1 && (static_cast<uint64_t>(classes / 2) * src_pitch) % kPerBlock == 0) {
        classes /= 2;
    }
    const bool by_class = classes < runs && dst_pitch % kPerBlock == 0 && classes * src_pitch >= whole && dst_pitch >= whole &&
                    CeilDiv(runs, classes) <= 4095 && whole / kPerBlock <= 65535 &&
                    (classes * src_pitch - whole) / kPerBlock <= 65535 && (classes * dst_pitch - whole) / kPerBlock <= 65535;
    if (by_class) {
        for (uint32_t j = 0; j < classes && j < runs; ++j) {
            uint32_t count = CeilDiv(runs - j, classes);
            const uint64_t last = static_cast<uint64_t>(j + (count - 1) * classes) * src_pitch;
            if (last + whole > src_available) {
                --count;
            }
            if (count > 0) {
                AscendC::DataCopy(dst[j * dst_pitch], src[j * src_pitch],
                                  AscendC::DataCopyParams{static_cast<uint16_t>(count), static_cast<uint16_t>(whole / kPerBlock),
                                                          static_cast<uint16_t>((classes * src_pitch - whole) / kPerBlock),
                                                          static_cast<uint16_t>((classes * dst_pitch - whole) / kPerBlock)});
            }
        }
    }
    bool used_scalar = false;
    for (uint32_t r = 0; r < runs; ++r) {
        if (by_class && static_cast<uint64_t>(r) * src_pitch + whole <= src_available) {
            continue;  // copied with its class
        }
        const uint64_t start = r * src_pitch;
        const uint32_t blocks = (start + whole <= src_available) ? whole / kPerBlock : run_len / kPerBlock;
        if (blocks > 0) {
            AscendC::DataCopy(dst[r * dst_pitch], src[start],
                              AscendC::DataCopyParams{1, static_cast<uint16_t>(blocks), 0, 0});
        }
        for (uint32_t i = blocks * kPerBlock; i < run_len; ++i) {
            if (!used_scalar) {
                // The vector unit may still be reading this buffer's previous contents.
                const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_S));
                AscendC::SetFlag<AscendC::HardEvent::V_S>(event);
                AscendC::WaitFlag<AscendC::HardEvent::V_S>(event);
                used_scalar = true;
            }
            dst.SetValue(r * dst_pitch + i, src.GetValue(start + i));
        }
    }
    if (used_scalar) {
        // The scalar writes into UB must land before the vector unit reads them.
        const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_V));
        AscendC::SetFlag<AscendC::HardEvent::S_V>(event);
        AscendC::WaitFlag<AscendC::HardEvent::S_V>(event);
    }
#endif
}

// UB run r starts at src[r * src_pitch] (src_pitch * sizeof(T) a multiple of 32); GM run r starts at
// dst[r * dst_pitch]. Exactly run_len elements of each run are written. On 2002 the UB runs are rearranged in
// place (the elements of src beyond each run are overwritten), and a run shorter than one block must be part
// of a contiguous set of runs (dst_pitch == run_len) at least one block long, or the whole of y.
template <typename T>
__aicore__ inline void CopyRunsOut(AscendC::GlobalTensor<T> dst, uint64_t dst_pitch,
                                   const AscendC::LocalTensor<T>& src, uint32_t src_pitch, uint32_t runs,
                                   uint32_t run_len) {
    if (runs == 0 || run_len == 0) {
        return;
    }
#if __CCE_AICORE__ == 220
    const uint32_t run_bytes = run_len * sizeof(T);
    const uint32_t src_gap_blocks = (src_pitch * sizeof(T) - RoundUp(run_bytes, kBlockBytes)) / kBlockBytes;
    const AscendC::DataCopyExtParams params{static_cast<uint16_t>(runs), run_bytes, src_gap_blocks,
                                            static_cast<uint32_t>((dst_pitch - run_len) * sizeof(T)), 0};
    AscendC::DataCopyPad(dst, src, params);
#else
    constexpr uint32_t kPerBlock = kBlockBytes / sizeof(T);
    const uint32_t whole_blocks = run_len / kPerBlock;
    if (whole_blocks * kPerBlock == run_len && dst_pitch % kPerBlock == 0 && src_pitch % kPerBlock == 0 &&
        runs <= 4095 && whole_blocks <= 65535 && (dst_pitch - run_len) / kPerBlock <= 65535 &&
        (src_pitch - run_len) / kPerBlock <= 65535) {
        // Whole blocks at block-aligned spacing: every run in one DMA (its fixed cost paid once).
        AscendC::DataCopy(dst, src,
                          AscendC::DataCopyParams{static_cast<uint16_t>(runs), static_cast<uint16_t>(whole_blocks),
                                                  static_cast<uint16_t>((src_pitch - run_len) / kPerBlock),
                                                  static_cast<uint16_t>((dst_pitch - run_len) / kPerBlock)});
        return;
    }
    AscendC::LocalTensor<T> ub = src;  // the scalar unit rearranges the tails in place (SetValue is not const)
    if (run_len % kPerBlock != 0 || (run_len < kPerBlock && dst_pitch == run_len)) {
        // The scalar unit reads from UB below: the vector results must be complete first.
        const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_S));
        AscendC::SetFlag<AscendC::HardEvent::V_S>(event);
        AscendC::WaitFlag<AscendC::HardEvent::V_S>(event);
    }
    if (run_len < kPerBlock && dst_pitch == run_len && runs > 1) {
        // Runs shorter than a block that are contiguous in GM (whole channel rows of a small image): pack them
        // in UB into one run (in place, front to back: every source is at or after its destination).
        for (uint32_t j = 0; j < runs * run_len; ++j) {
            ub.SetValue(j, ub.GetValue((j / run_len) * src_pitch + j % run_len));
        }
        run_len *= runs;
        runs = 1;
        const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_MTE3));
        AscendC::SetFlag<AscendC::HardEvent::S_MTE3>(event);
        AscendC::WaitFlag<AscendC::HardEvent::S_MTE3>(event);
    }
    const uint32_t blocks = run_len / kPerBlock;
    const uint32_t tail = run_len - blocks * kPerBlock;
    for (uint32_t r = 0; r < runs; ++r) {
        if (blocks > 0) {
            AscendC::DataCopy(dst[r * dst_pitch], ub[r * src_pitch],
                              AscendC::DataCopyParams{1, static_cast<uint16_t>(blocks), 0, 0});
        }
    }
    if (tail == 0) {
        return;
    }
    if (blocks == 0) {
        // Fewer than kPerBlock contiguous elements (a y of fewer than 16 halves per channel group and image):
        // only the scalar unit can write them without touching bytes beyond. Its stores go through the DCache
        // in 64-byte lines (GlobalTensor/SetValue.md): this core's earlier MTE3 writes must have landed before
        // the line is filled, and the line goes out at once. Safe while no other core writes into the same
        // 64 bytes meanwhile (not guaranteed by the tiling: see docs/arch_rules_twin.md).
        const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::MTE3_S));
        AscendC::SetFlag<AscendC::HardEvent::MTE3_S>(event);
        AscendC::WaitFlag<AscendC::HardEvent::MTE3_S>(event);
        for (uint32_t r = 0; r < runs; ++r) {
            for (uint32_t i = 0; i < run_len; ++i) {
                dst.SetValue(r * dst_pitch + i, ub.GetValue(r * src_pitch + i));
            }
        }
        AscendC::DataCacheCleanAndInvalid<T, AscendC::CacheLine::ENTIRE_DATA_CACHE>(dst);
        return;
    }
    // The tail of each run goes out as one more whole block ending at the run's end, which rewrites the
    // preceding kPerBlock - tail elements with the values the block copies above already wrote (no scalar
    // store into y: GlobalTensor/SetValue.md). Its source must be block-aligned in UB, so the scalar unit first
    // moves the run's last kPerBlock elements into the run's last block slot [blocks + 1) * kPerBlock - kPerBlock,
    // back to front (each source lies below its destination); src_pitch >= that slot's end.
    const uint32_t shift = kPerBlock - tail;
    for (uint32_t r = 0; r < runs; ++r) {
        const uint32_t slot = r * src_pitch + blocks * kPerBlock;
        for (uint32_t j = kPerBlock; j-- > 0;) {
            ub.SetValue(slot + j, ub.GetValue(slot + j - shift));
        }
    }
    const int32_t event = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::S_MTE3));
    AscendC::SetFlag<AscendC::HardEvent::S_MTE3>(event);
    AscendC::WaitFlag<AscendC::HardEvent::S_MTE3>(event);
    for (uint32_t r = 0; r < runs; ++r) {
        AscendC::DataCopy(dst[r * dst_pitch + run_len - kPerBlock], ub[r * src_pitch + blocks * kPerBlock],
                          AscendC::DataCopyParams{1, 1, 0, 0});
    }
#endif
}

}  // namespace qconv::kernel
