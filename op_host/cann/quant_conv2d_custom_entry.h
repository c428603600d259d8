// The CANN entry points of QuantConv2dCustom, referenced by the generated OpDef source
// (<build>/generated/package/op_host/quant_conv2d_custom_def.cpp). Compiled only with CANN.
#pragma once

#include "exe_graph/runtime/infer_datatype_context.h"
#include "exe_graph/runtime/infer_shape_context.h"
#include "exe_graph/runtime/tiling_context.h"
#include "graph/ge_error_codes.h"

namespace ge {
ge::graphStatus QuantConv2dCustomInferShape(gert::InferShapeContext* context);
ge::graphStatus QuantConv2dCustomInferDataType(gert::InferDataTypeContext* context);
}  // namespace ge

namespace optiling {
ge::graphStatus QuantConv2dCustomTilingFunc(gert::TilingContext* context);
}  // namespace optiling
