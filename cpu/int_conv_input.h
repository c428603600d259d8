// The input buffer of int_conv (internal to cpu/).
#pragma once

#include <cstdint>

#include "int_conv.h"

namespace qconv::cpu {

// x -> (N, H + 2ph, W + 2pw, C) contiguous NHWC with the border offset_x, as the kind reads it:
// int16 x for pairs, uint8 x + 128 for quads.
void cast_pad_int(const Int8View& x, IntKernel kind, uint8_t* out, int64_t ph, int64_t pw, int32_t offset_x,
                  bool simd);

}  // namespace qconv::cpu
