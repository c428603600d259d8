#include "op_host/core/check_params.h"

#include <string>

#include "op_host/core/check_rules.h"
#include "op_host/core/infer_shape.h"

namespace qconv {
namespace {

using namespace check_rules;

// Same checks in the same order as python/qconv/checks.py check_op_args, so that both report the same
// first violation; the rules after the output size are C++ additions (limits of the tiling data, SoC quirks).
Status CheckTensors(const ConvParams& p) {
    QCONV_RETURN_IF_ERROR(Dtype("input", p.input, {"torch.int8"}));
    QCONV_RETURN_IF_ERROR(Dtype("weight", p.weight, {"torch.int8"}));
    QCONV_RETURN_IF_ERROR(Dtype("scale", p.scale, {"torch.int64", "torch.float32"}));
    QCONV_RETURN_IF_ERROR(Rank("input", p.input, 4));
    QCONV_RETURN_IF_ERROR(Rank("weight", p.weight, 4));
    QCONV_RETURN_IF_ERROR(Rank("scale", p.scale, 1));
    QCONV_RETURN_IF_ERROR(Equal("weight.shape[1]", p.weight.shape[1], "input.shape[1]", p.input.shape[1]));
    QCONV_RETURN_IF_ERROR(Equal("scale.shape[0]", p.scale.shape[0], "weight.shape[0]", p.weight.shape[0]));
    if (p.bias) {
        QCONV_RETURN_IF_ERROR(Dtype("bias", *p.bias, {"torch.int32"}));
        QCONV_RETURN_IF_ERROR(Rank("bias", *p.bias, 1));
        QCONV_RETURN_IF_ERROR(Equal("bias.shape[0]", p.bias->shape[0], "weight.shape[0]", p.weight.shape[0]));
    }
    if (p.has_offset) return NotSupported("offset", "a tensor", "None (reserved)");
    if (p.round_mode != "rint") return NotSupported("round_mode", "'" + p.round_mode + "'", "'rint'");
    if (p.output_dtype != "torch.float16") {
        return NotSupported("output_dtype", p.output_dtype, "torch.float16 (None means torch.float16)");
    }
    return Status::Ok();
}

Status CheckAttrs(const ConvParams& p) {
    QCONV_RETURN_IF_ERROR(PairInRange("kernel_size", {p.weight.shape[2], p.weight.shape[3]}, limits::kKernelSize));
    QCONV_RETURN_IF_ERROR(PairInRange("strides", p.strides, limits::kStride));
    QCONV_RETURN_IF_ERROR(PairInRange("pads", p.pads, limits::kPadding));
    QCONV_RETURN_IF_ERROR(PairInRange("dilations", p.dilations, limits::kDilation));
    QCONV_RETURN_IF_ERROR(InRange("groups", p.groups, limits::kGroups));
    QCONV_RETURN_IF_ERROR(InRange("offset_x", p.offset_x, limits::kOffsetX));
    QCONV_RETURN_IF_ERROR(InRange("input.shape[2]", p.input.shape[2], limits::kInputH));
    QCONV_RETURN_IF_ERROR(InRange("input.shape[3]", p.input.shape[3], limits::kInputW));
    return Status::Ok();
}

Status CheckSizes(const ConvParams& p, const OutputDims& out) {
    QCONV_RETURN_IF_ERROR(InRange("input.shape[0]", p.input.shape[0], limits::kBatch));
    QCONV_RETURN_IF_ERROR(InRange("input.shape[1]", p.input.shape[1], limits::kChannels));
    QCONV_RETURN_IF_ERROR(InRange("weight.shape[0]", p.weight.shape[0], limits::kChannels));
    QCONV_RETURN_IF_ERROR(InRange("weight.shape[0]", p.weight.shape[0], limits::kKernelCout));
    QCONV_RETURN_IF_ERROR(InRange("input.numel()", Elements(p.input.shape), limits::kTensorElements));
    QCONV_RETURN_IF_ERROR(InRange("weight.numel()", Elements(p.weight.shape), limits::kTensorElements));
    QCONV_RETURN_IF_ERROR(
        InRange("output.numel()", Elements({out.n, out.c, out.h, out.w}), limits::kTensorElements));
    return Status::Ok();
}

std::string ShapeText(const std::vector<int64_t>& s) {
    std::string t = "(";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + (s.size() == 1 ? ",)" : ")");
}

// A FRACTAL_Z filter must be exactly the packing of its logical (Cout, Cin, kh, kw) filter.
Status CheckWeightStorage(const ConvParams& p) {
    if (p.weight_format != WeightFormat::kFractalZ) return Status::Ok();
    const std::vector<int64_t>& w = p.weight.shape;
    const std::vector<int64_t> expected = {(w[1] + 31) / 32 * w[2] * w[3], (w[0] + 15) / 16, 16, 32};
    if (p.weight_storage_shape != expected) {
        return Status::Error("weight = FRACTAL_Z tensor of shape " + ShapeText(p.weight_storage_shape) +
                             " does not match the filter (Cout, Cin, kh, kw) = " + ShapeText(w) +
                             "; expected shape (C1*kh*kw, N1, 16, 32) = " + ShapeText(expected));
    }
    return Status::Ok();
}

}  // namespace

Status CheckParams(const ConvParams& p, const SocSpec* soc) {
    QCONV_RETURN_IF_ERROR(CheckTensors(p));
    QCONV_RETURN_IF_ERROR(CheckAttrs(p));
    OutputDims out;
    QCONV_RETURN_IF_ERROR(InferShape(p, &out));
    QCONV_RETURN_IF_ERROR(CheckSizes(p, out));
    QCONV_RETURN_IF_ERROR(CheckWeightStorage(p));
    if (soc != nullptr && !soc->output_width_one_supported && out.w == 1) {
        return NotSupported("output width Wo", "1", std::string("Wo >= 2 on ") + soc->name);
    }
    return Status::Ok();
}

}  // namespace qconv
