#include "op_host/core/ge_params.h"

#include "op_host/core/check_rules.h"

namespace qconv {

using namespace check_rules;

std::string GeDtypeName(int32_t ge_dtype) {
    switch (ge_dtype) {
        case 0: return "torch.float32";
        case 1: return "torch.float16";
        case 2: return "torch.int8";
        case 3: return "torch.int32";
        case 9: return "torch.int64";
        default: return "GE dtype " + std::to_string(ge_dtype);
    }
}

namespace {

TensorDesc Desc(const GeTensor& t) { return {t.shape, GeDtypeName(t.dtype)}; }

// An NCHW list [1, 1, h, w] -> (h, w).
Status NchwPair(const char* param, const std::vector<int64_t>& v, std::vector<int64_t>* out) {
    QCONV_RETURN_IF_ERROR(Length(param, v, 4));
    if (v[0] != 1 || v[1] != 1) {
        return NotSupported(std::string(param) + "[0:2]", "[" + ToText(v[0]) + ", " + ToText(v[1]) + "]", "[1, 1]");
    }
    *out = {v[2], v[3]};
    return Status::Ok();
}

}  // namespace

Status ToConvParams(const GeArgs& ge, ConvParams* out) {
    ConvParams p;
    p.input = Desc(ge.x);
    p.weight = Desc(ge.filter);
    if (ge.filter_fractal_z) {
        p.weight_format = WeightFormat::kFractalZ;
        p.weight_storage_shape = ge.filter_storage_shape;
    }
    p.scale = Desc(ge.scale);
    if (ge.bias) p.bias = Desc(*ge.bias);
    if (ge.data_format != "NCHW") return NotSupported("data_format", ge.data_format, "NCHW");
    QCONV_RETURN_IF_ERROR(NchwPair("strides", ge.strides, &p.strides));
    QCONV_RETURN_IF_ERROR(NchwPair("dilations", ge.dilations, &p.dilations));
    QCONV_RETURN_IF_ERROR(Length("pads", ge.pads, 4));
    if (ge.pads[0] != ge.pads[1] || ge.pads[2] != ge.pads[3]) {
        return NotSupported("pads", "[" + ToText(ge.pads[0]) + ", " + ToText(ge.pads[1]) + ", " + ToText(ge.pads[2]) +
                                        ", " + ToText(ge.pads[3]) + "]",
                            "symmetric [top, bottom, left, right] with top == bottom and left == right");
    }
    p.pads = {ge.pads[0], ge.pads[2]};
    p.groups = ge.groups;
    p.offset_x = ge.offset_x;
    p.round_mode = ge.round_mode;
    p.output_dtype = GeDtypeName(static_cast<int32_t>(ge.dtype));
    *out = std::move(p);
    return Status::Ok();
}

}  // namespace qconv
