// Batched 16 x 16 transposes of half data with TransDataTo5HD (b16: dst_j[i] = src_i[j], TransDataTo5HD.md): the
// epilogue's [row][channel] -> [channel][row] step, kept apart from the dequant arithmetic.
#pragma once

#include "kernel_operator.h"

namespace qconv::kernel {

// `repeats` transposes: repeat r reads 16 source rows of 16 halves (rows src_pitch elements apart) and writes
// 16 destination rows (dst_pitch apart); the source and destination lists advance by src_rep_blocks and
// dst_rep_blocks 32-B blocks per repeat. Row starts must be 32-B aligned.
__aicore__ inline void Transpose16x16(const AscendC::LocalTensor<half>& dst, uint32_t dst_pitch,
                                      const AscendC::LocalTensor<half>& src, uint32_t src_pitch, uint32_t repeats,
                                      uint16_t dst_rep_blocks, uint16_t src_rep_blocks) {
    AscendC::LocalTensor<half> dst_list[16];
    AscendC::LocalTensor<half> src_list[16];
    for (uint32_t i = 0; i < 16; ++i) {
        dst_list[i] = dst[i * dst_pitch];
        src_list[i] = src[i * src_pitch];
    }
    // With a single repeat the hardware still applies the strides once, so they must be 0 (TransDataTo5HD.md).
    const bool single = repeats == 1;
    const AscendC::TransDataTo5HDParams params(false, false, static_cast<uint8_t>(repeats), single ? 0 : dst_rep_blocks,
                                               single ? 0 : src_rep_blocks);
    AscendC::TransDataTo5HD<half>(dst_list, src_list, params);
}

}  // namespace qconv::kernel
