// Reads the op's arguments out of a GE context (tiling or infer-shape) into qconv::GeArgs: shapes, dtypes
// and attributes at the positions of <qconv_generated/op_indices.h>. Compiled only with CANN.
#pragma once

#include <qconv_generated/op_indices.h>

#include <cstdint>
#include <vector>

#include "exe_graph/runtime/runtime_attrs.h"
#include "exe_graph/runtime/shape.h"
#include "op_host/core/ge_params.h"

namespace qconv::cann {

inline std::vector<int64_t> Dims(const gert::Shape& shape) {
    std::vector<int64_t> dims(shape.GetDimNum());
    for (size_t i = 0; i < dims.size(); ++i) dims[i] = shape.GetDim(i);
    return dims;
}

inline std::vector<int64_t> ListInt(const gert::RuntimeAttrs& attrs, size_t index) {
    const gert::TypedContinuousVector<int64_t>* list = attrs.GetListInt(index);
    if (list == nullptr) return {};
    return std::vector<int64_t>(list->GetData(), list->GetData() + list->GetSize());
}

// Attributes absent from the context keep the OpDef defaults already in GeArgs.
inline void ReadAttrs(const gert::RuntimeAttrs* attrs, GeArgs* ge) {
    if (attrs == nullptr) return;
    ge->strides = ListInt(*attrs, op_indices::kAttrStrides);
    ge->pads = ListInt(*attrs, op_indices::kAttrPads);
    const std::vector<int64_t> dilations = ListInt(*attrs, op_indices::kAttrDilations);
    ge->dilations = dilations.empty() ? std::vector<int64_t>{1, 1, 1, 1} : dilations;
    if (const int64_t* v = attrs->GetInt(op_indices::kAttrGroups)) ge->groups = *v;
    if (const char* v = attrs->GetStr(op_indices::kAttrDataFormat)) ge->data_format = v;
    if (const int64_t* v = attrs->GetInt(op_indices::kAttrOffsetX)) ge->offset_x = *v;
    if (const char* v = attrs->GetStr(op_indices::kAttrRoundMode)) ge->round_mode = v;
    if (const int64_t* v = attrs->GetInt(op_indices::kAttrDtype)) ge->dtype = *v;
}

}  // namespace qconv::cann
