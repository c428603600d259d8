// The op's arguments as GE hands them to the CANN adapters (4-element NCHW strides/dilations, TBLR pads,
// GE dtype codes) turned into ConvParams, so that InferShape, CheckParams and the tiling see exactly what
// the torch path sees. Plain C++: tested without CANN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "op_host/core/conv_params.h"
#include "op_host/core/status.h"

namespace qconv {

// GE DataType codes the op uses (graph/types.h: DT_FLOAT = 0, DT_FLOAT16 = 1, DT_INT8 = 2, DT_INT32 = 3,
// DT_INT64 = 9); anything else is named by its code.
std::string GeDtypeName(int32_t ge_dtype);

struct GeTensor {
    std::vector<int64_t> shape;
    int32_t dtype = 0;
};

struct GeArgs {
    GeTensor x, filter, scale;  // filter: its origin (Cout, Cin, kh, kw) shape in either format
    bool filter_fractal_z = false;               // the filter's storage format is FRACTAL_Z (pre-packed)
    std::vector<int64_t> filter_storage_shape;   // then its storage shape (C1*kh*kw, N1, 16, 32)
    std::optional<GeTensor> bias;
    std::vector<int64_t> strides;    // [1, 1, sh, sw]
    std::vector<int64_t> pads;       // [top, bottom, left, right]
    std::vector<int64_t> dilations;  // [1, 1, dh, dw]
    int64_t groups = 1;
    std::string data_format = "NCHW";
    int64_t offset_x = 0;
    std::string round_mode = "rint";
    int64_t dtype = 1;  // output dtype, GE code (DT_FLOAT16)
};

// Fails (with the limits.yaml wording) when the GE-only parts are off: data_format other than NCHW,
// N/C entries of strides/dilations other than 1, asymmetric pads, lists that are not 4 long.
Status ToConvParams(const GeArgs& ge, ConvParams* out);

}  // namespace qconv
