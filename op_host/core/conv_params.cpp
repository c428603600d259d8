#include "op_host/core/conv_params.h"

namespace qconv {

ConvShape ToConvShape(const ConvParams& p) {
    ConvShape s;
    s.batch = p.input.shape[0];
    s.cin = p.input.shape[1];
    s.hin = p.input.shape[2];
    s.win = p.input.shape[3];
    s.cout = p.weight.shape[0];
    s.kh = p.weight.shape[2];
    s.kw = p.weight.shape[3];
    s.stride_h = p.strides[0];
    s.stride_w = p.strides[1];
    s.pad_h = p.pads[0];
    s.pad_w = p.pads[1];
    s.dilation_h = p.dilations[0];
    s.dilation_w = p.dilations[1];
    s.groups = p.groups;
    s.offset_x = p.offset_x;
    s.has_bias = p.bias.has_value();
    s.scale_kind = p.scale.dtype == "torch.float32" ? ScaleKind::kFloat32 : ScaleKind::kQuantPreWord;
    s.weight_format = p.weight_format;
    return s;
}

}  // namespace qconv
