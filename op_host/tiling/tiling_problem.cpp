#include "op_host/tiling/tiling_problem.h"

#include <stdexcept>
#include <string>

#include "op_kernel/quant_conv2d_schedule.h"
#include "op_kernel/vector_ub_budget.h"

namespace qconv::tiling {
namespace {

uint32_t Field(const char* name, int64_t value, int64_t min, int64_t max) {
    if (value < min || value > max) {
        throw std::invalid_argument("tiling: " + std::string(name) + " = " + std::to_string(value) +
                                    " is out of the range the tiling engine supports [" + std::to_string(min) +
                                    ", " + std::to_string(max) + "]; run CheckParams first");
    }
    return static_cast<uint32_t>(value);
}

}  // namespace

Problem MakeProblem(const ConvShape& s) {
    constexpr int64_t kU32 = 0xFFFFFFFFll;
    Problem p{};
    p.weight_prepacked = s.weight_format == WeightFormat::kFractalZ;
    p.batch = Field("batch", s.batch, 1, kU32);
    p.cin = Field("cin", s.cin, 1, kU32);
    p.hin = Field("input H", s.hin, 1, kU32);
    p.win = Field("input W", s.win, 1, kU32);
    p.cout = Field("cout", s.cout, 1, kU32 - 15);
    // Load3D's 8-bit filter, stride, dilation and padList fields bound these (LoadData3DParamsV2).
    p.kh = Field("kernel_size[0]", s.kh, 1, 255);
    p.kw = Field("kernel_size[1]", s.kw, 1, 255);
    p.stride_h = Field("stride[0]", s.stride_h, 1, 63);
    p.stride_w = Field("stride[1]", s.stride_w, 1, 63);
    p.pad_h = Field("padding[0]", s.pad_h, 0, 255);
    p.pad_w = Field("padding[1]", s.pad_w, 0, 255);
    p.dilation_h = Field("dilation[0]", s.dilation_h, 1, 255);
    p.dilation_w = Field("dilation[1]", s.dilation_w, 1, 255);
    p.hout = Field("output H", OutputH(s), 1, kU32);
    p.wout = Field("output W", OutputW(s), 1, 32767);  // Load3D derives Wo into a 16-bit M position
    p.c1 = static_cast<uint32_t>(CeilDiv(p.cin, kK0));
    p.n1 = static_cast<uint32_t>(CeilDiv(p.cout, kN0));
    p.positions = static_cast<uint64_t>(p.hout) * p.wout;
    if (p.positions > kU32 - 4096) {
        throw std::invalid_argument("tiling: output positions Ho * Wo = " + std::to_string(p.positions) +
                                    " exceed the 32-bit M index of the schedule");
    }
    p.k_fracs = static_cast<uint64_t>(p.c1) * p.kh * p.kw;
    return p;
}

bool KwPackEligible(const ConvShape& s) {
    if (s.kw <= 1 || s.cin * s.kw > kK0 || s.kw > 255 || s.kh > 255) {
        return false;
    }
    const int64_t wout = OutputW(s);
    return wout >= 1 && s.win >= 1 &&
           vector_ub::KwPackFits(static_cast<uint32_t>(s.cin), static_cast<uint32_t>(s.win), static_cast<uint32_t>(wout),
                                 static_cast<uint32_t>(s.kh), static_cast<uint32_t>(s.kw));
}

ConvShape KwPackedShape(const ConvShape& s) {
    ConvShape p = s;
    p.cin = s.kw * s.cin;
    p.win = OutputW(s);
    p.kw = 1;
    p.stride_w = 1;
    p.pad_w = 0;
    p.dilation_w = 1;
    p.weight_format = WeightFormat::kNchw;  // the packed filter lives in ws.weight
    return p;
}

bool SubsampleEligible(const ConvShape& s, uint32_t npu_arch) {
    if (s.kh != 1 || s.kw != 1 || s.pad_h != 0 || s.pad_w != 0 || (s.stride_h <= 1 && s.stride_w <= 1)) {
        return false;
    }
    const int64_t wout = OutputW(s);
    return OutputH(s) >= 1 && wout >= 1 && wout <= 0xFFFF && s.stride_w <= 255 &&
           vector_ub::SubsampleItemFits(npu_arch == schedule::kArchCoupled, static_cast<uint32_t>(wout),
                                        static_cast<uint32_t>(s.stride_w), 1, 1);
}

ConvShape SubsampledShape(const ConvShape& s) {
    ConvShape p = s;
    p.hin = OutputH(s);
    p.win = OutputW(s);
    p.stride_h = 1;
    p.stride_w = 1;
    p.dilation_h = 1;
    p.dilation_w = 1;
    return p;
}

bool DirectGemmEligible(const Problem& p, uint32_t npu_arch) {
    return npu_arch == schedule::kArchSplit && p.kh == 1 && p.kw == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_h == 0 &&
           p.pad_w == 0 && p.cin % kK0 == 0 && static_cast<uint64_t>(p.hin) * p.win <= 65535;
}

}  // namespace qconv::tiling
