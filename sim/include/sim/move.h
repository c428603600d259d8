// Arch-neutral movement kernels of the twin's library: strided block copies with the bounds, poison and
// synchronization bookkeeping every DataCopy-style API needs, checked once per call.
#pragma once

#include <cstdint>

#include "sim/core.h"
#include "sim/memory.h"

namespace qconv::sim {

struct BlockMove {
    const char* api;
    Pipe pipe;
    uint64_t count;        // blocks
    uint64_t src_bytes;    // bytes read per block
    uint64_t dst_bytes;    // bytes written per block (>= src_bytes; the rest is filled as below)
    uint64_t src_pitch;    // head-to-head distance of source blocks, bytes
    uint64_t dst_pitch;    // head-to-head distance of destination blocks, bytes
    uint64_t dst_lead = 0;      // bytes written before each block's data (left padding)
    const uint8_t* pad = nullptr;  // pattern for lead/tail bytes (nullptr: tail/lead become poison)
    uint32_t pad_len = 0;          // pattern length (element size)
    uint16_t pad_origin = 0;       // poison origin for lead/tail bytes when pad == nullptr
    uint64_t tail_poison_from = ~0ULL;  // within a dst block, bytes from here on are poison (DataCopyPad dummy)
    uint16_t tail_origin = 0;
};

// Copies m.count blocks from src to dst (both already validated tensors' windows) and records the writes.
void MoveBlocks(Core& core, const BlockMove& m, const Span& dst, const Span& src);

// GM -> L1 ND2NZ (DataCopy with Nd2NzParams): nd_num ND matrices of n_value rows x d_value elements become
// Nz: column block c (C0 = 32 / elem elements) of row r of matrix i lands at byte
// i * dst_nd_stride * elem + c * dst_c0_stride * 32 + r * dst_n_stride * 32; the last block of a row is
// zero-filled past d_value. Strides in the units of Nd2NzParams (elements for the source and the matrix
// stride, 32 B for the two Nz strides). One MTE2 instruction.
struct Nd2NzMove {
    const char* api;
    uint32_t elem;
    uint64_t nd_num, n_value, d_value, src_nd_stride, src_d_value, dst_c0_stride, dst_n_stride, dst_nd_stride;
};
void MoveNd2Nz(Core& core, const Nd2NzMove& m, const Span& dst, const Span& src);

}  // namespace qconv::sim
