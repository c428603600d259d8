// The op's arguments as a caller hands them over (tensor shapes and dtypes, attribute lists), before any
// check: what CheckParams validates and what the CANN adapters and the Python binding fill in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "op_host/core/conv_shape.h"

namespace qconv {

// Dtype names as torch prints them (torch.int8, torch.int32, torch.int64, torch.float32, torch.float16): they
// appear in messages, worded as qconv.checks words them.
struct TensorDesc {
    std::vector<int64_t> shape;
    std::string dtype;
};

struct ConvParams {
    TensorDesc input;   // (N, Cin, H, W) int8
    TensorDesc weight;  // (Cout, Cin, kh, kw) int8: the filter's logical (origin) shape in either format
    WeightFormat weight_format = WeightFormat::kNchw;
    std::vector<int64_t> weight_storage_shape;  // kFractalZ: the packed tensor's shape, (C1*kh*kw, N1, 16, 32)
    TensorDesc scale;   // (Cout,) int64 or float32
    std::optional<TensorDesc> bias;  // (Cout,) int32
    bool has_offset = false;         // torch_npu's reserved `offset` input: must be absent
    std::vector<int64_t> strides{1, 1};    // (sh, sw)
    std::vector<int64_t> pads{0, 0};       // (ph, pw), symmetric
    std::vector<int64_t> dilations{1, 1};  // (dh, dw)
    int64_t groups = 1;
    int64_t offset_x = 0;
    std::string round_mode = "rint";
    std::string output_dtype = "torch.float16";  // torch_npu: None means torch.float16
};

// The checked problem; call only after CheckParams succeeded.
ConvShape ToConvShape(const ConvParams& p);

}  // namespace qconv
