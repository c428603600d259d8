// InferShape: y = (N, Cout, Ho, Wo) with floor division (torch_npu's meta kernel; its eager kernel
// truncates toward zero instead, which turns some invalid shapes into Ho = 1). Ho or Wo <= 0 is an error.
#pragma once

#include <cstdint>

#include "op_host/core/conv_params.h"
#include "op_host/core/status.h"

namespace qconv {

struct OutputDims {
    int64_t n = 0;
    int64_t c = 0;
    int64_t h = 0;
    int64_t w = 0;
};

// Needs only what the shape depends on (ranks, attribute lengths, strides >= 1); the rest is CheckParams'.
Status InferShape(const ConvParams& params, OutputDims* out);

}  // namespace qconv
