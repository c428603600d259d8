// qconv._sim: the QuantConv2d kernel (op_kernel/quant_conv2d_custom.cpp, built once per arch against the
// twin) run from Python. qconv/sim.py is the user-facing wrapper.
#include "op_kernel/bindings/sim_runner.h"

extern "C" void quant_conv2d_custom_2201(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);
extern "C" void quant_conv2d_custom_2002(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);

namespace py = pybind11;
using namespace qconv::sim_binding;

PYBIND11_MODULE(_sim, m) {
    m.doc() = "QuantConv2d kernel in the CPU twin";
    RegisterSimError(m);
    m.def(
        "run",
        [](py::object x, py::object weight, py::object scale, py::object bias, std::vector<int64_t> stride, std::vector<int64_t> padding,
           std::vector<int64_t> dilation, int64_t offset_x, const std::string& soc, std::vector<int64_t> weight_shape) {
            const Problem p = ProblemFrom(std::move(x), std::move(weight), std::move(scale), std::move(bias),
                                          std::move(stride), std::move(padding), std::move(dilation), offset_x,
                                          std::move(weight_shape));
            return Run(p, soc,
                       [](uint32_t arch) { return arch == 2002 ? &quant_conv2d_custom_2002 : &quant_conv2d_custom_2201; },
                       nullptr);
        },
        py::arg("x"), py::arg("weight"), py::arg("scale"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("offset_x"), py::arg("soc"), py::arg("weight_shape") = std::vector<int64_t>{},
        "Runs the kernel for `soc`: (y float16 (N, Cout, Ho, Wo), per-core pipe counters, tiling summary). With "
        "weight_shape = (Cout, Cin, kh, kw), `weight` is that filter in FRACTAL_Z (C1*kh*kw, N1, 16, 32).");
}
