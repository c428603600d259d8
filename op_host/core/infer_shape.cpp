#include "op_host/core/infer_shape.h"

#include "op_host/core/check_rules.h"

#include <string>
#include <utility>

namespace qconv {

using namespace check_rules;

namespace {

// InferShape also serves unchecked input (the CANN InferShape runs before any check), so the formula is
// evaluated in 128 bits: int64 attributes cannot overflow it.
using Wide = __int128;

Wide FloorDivWide(Wide a, Wide b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

Wide OutputSizeWide(int64_t in, int64_t pad, int64_t dilation, int64_t kernel, int64_t stride) {
    return FloorDivWide(Wide(in) + 2 * Wide(pad) - Wide(dilation) * (Wide(kernel) - 1) - 1, stride) + 1;
}

std::string WideText(Wide v) {
    if (v == 0) return "0";
    const bool negative = v < 0;
    std::string digits;
    while (v != 0) {
        const int d = static_cast<int>(v % 10);
        digits.insert(digits.begin(), static_cast<char>('0' + (d < 0 ? -d : d)));
        v /= 10;
    }
    return negative ? "-" + digits : digits;
}

}  // namespace

Status InferShape(const ConvParams& p, OutputDims* out) {
    QCONV_RETURN_IF_ERROR(Rank("input", p.input, 4));
    QCONV_RETURN_IF_ERROR(Rank("weight", p.weight, 4));
    QCONV_RETURN_IF_ERROR(Length("strides", p.strides, 2));
    QCONV_RETURN_IF_ERROR(Length("pads", p.pads, 2));
    QCONV_RETURN_IF_ERROR(Length("dilations", p.dilations, 2));
    for (size_t i = 0; i < 2; ++i) QCONV_RETURN_IF_ERROR(InRange(Indexed("strides", i), p.strides[i], limits::kStride));
    const auto& x = p.input.shape;
    const auto& w = p.weight.shape;
    const Wide ho = OutputSizeWide(x[2], p.pads[0], p.dilations[0], w[2], p.strides[0]);
    const Wide wo = OutputSizeWide(x[3], p.pads[1], p.dilations[1], w[3], p.strides[1]);
    if (ho <= 0 || wo <= 0) {
        return Status::Error(FormatMessage(limits::messages::kOutputSize,
                                           {{"ho", WideText(ho)}, {"wo", WideText(wo)},
                                            {"h", ToText(x[2])}, {"w", ToText(x[3])},
                                            {"kh", ToText(w[2])}, {"kw", ToText(w[3])},
                                            {"sh", ToText(p.strides[0])}, {"sw", ToText(p.strides[1])},
                                            {"ph", ToText(p.pads[0])}, {"pw", ToText(p.pads[1])},
                                            {"dh", ToText(p.dilations[0])}, {"dw", ToText(p.dilations[1])}}));
    }
    for (const auto& [param, v] : {std::pair{"output.shape[2]", ho}, std::pair{"output.shape[3]", wo}}) {
        if (v > kMaxTensorElements) {
            return Status::Error(FormatMessage(limits::messages::kOutOfRange,
                                               {{"param", param}, {"value", WideText(v)},
                                                {"min", "1"}, {"max", ToText(kMaxTensorElements)}}));
        }
    }
    out->n = x[0];
    out->c = w[0];
    out->h = static_cast<int64_t>(ho);
    out->w = static_cast<int64_t>(wo);
    return Status::Ok();
}

}  // namespace qconv
