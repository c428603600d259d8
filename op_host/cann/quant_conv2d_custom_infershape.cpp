// InferShape and InferDataType of QuantConv2dCustom (CANN 8.1): y = (N, Cout, Ho, Wo) float16 by the core's
// floor-division InferShape; an impossible shape is refused with the same message as the Python path.
#include <cstdio>

#include "op_host/cann/ge_args_reader.h"
#include "op_host/cann/quant_conv2d_custom_entry.h"
#include "op_host/core/ge_params.h"
#include "op_host/core/infer_shape.h"

namespace ge {

ge::graphStatus QuantConv2dCustomInferShape(gert::InferShapeContext* context) {
    using namespace qconv::op_indices;
    const gert::Shape* x = context->GetInputShape(kInputX);
    const gert::Shape* filter = context->GetInputShape(kInputFilter);
    gert::Shape* y = context->GetOutputShape(kOutputY);
    if (x == nullptr || filter == nullptr || y == nullptr) return ge::GRAPH_FAILED;
    qconv::GeArgs args;
    args.x.shape = qconv::cann::Dims(*x);
    args.filter.shape = qconv::cann::Dims(*filter);
    qconv::cann::ReadAttrs(context->GetAttrs(), &args);
    qconv::ConvParams params;
    qconv::Status status = qconv::ToConvParams(args, &params);
    qconv::OutputDims out;
    if (status.ok) status = qconv::InferShape(params, &out);
    if (!status.ok) {
        std::fprintf(stderr, "[qconv] %s InferShape failed: %s\n", context->GetNodeName(), status.message.c_str());
        return ge::GRAPH_FAILED;
    }
    y->SetDimNum(4);
    y->SetDim(0, out.n);
    y->SetDim(1, out.c);
    y->SetDim(2, out.h);
    y->SetDim(3, out.w);
    return ge::GRAPH_SUCCESS;
}

ge::graphStatus QuantConv2dCustomInferDataType(gert::InferDataTypeContext* context) {
    return context->SetOutputDataType(qconv::op_indices::kOutputY, ge::DT_FLOAT16);
}

}  // namespace ge
