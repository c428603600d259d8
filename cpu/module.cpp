// qconv._cpu: the fused cast/pad and epilogue passes of the exact CPU op, on raw tensor memory
// (python/qconv/cpu_conv.py passes data_ptr()s of tensors it allocated or validated). The GIL is
// released while a pass runs.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace py = pybind11;
namespace qc = qconv::cpu;

namespace qconv::cpu {
bool has_avx2_f16c() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
  return supported;
#else
  return false;
#endif
}
}  // namespace qconv::cpu

PYBIND11_MODULE(_cpu, m) {
  m.doc() = "Fused int8->float32 cast/pad and float16 epilogue of the exact CPU QuantConv2d";
  m.def("has_avx2_f16c", &qc::has_avx2_f16c, "True when the vector (AVX2 + F16C) paths run");
  m.def(
      "equal_bytes",
      [](uintptr_t a, uintptr_t b, size_t n) {
        return n == 0 || std::memcmp(reinterpret_cast<const void*>(a), reinterpret_cast<const void*>(b), n) == 0;
      },
      py::arg("a"), py::arg("b"), py::arg("n"), py::call_guard<py::gil_scoped_release>(),
      "n bytes at a == n bytes at b (the weight cache's content check, without numpy's temporaries)");
  m.def(
      "cast_pad",
      [](uintptr_t x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t sn, int64_t sc, int64_t sh, int64_t sw,
         uintptr_t out, int64_t ct, int64_t ph, int64_t pw, int32_t offset_x, bool channels_last, bool simd) {
        const qc::Int8View view{reinterpret_cast<const int8_t*>(x), n, c, h, w, sn, sc, sh, sw};
        qc::cast_pad(view, reinterpret_cast<float*>(out), ct, ph, pw, offset_x, channels_last, simd);
      },
      py::arg("x"), py::arg("n"), py::arg("c"), py::arg("h"), py::arg("w"), py::arg("sn"), py::arg("sc"),
      py::arg("sh"), py::arg("sw"), py::arg("out"), py::arg("ct"), py::arg("ph"), py::arg("pw"),
      py::arg("offset_x"), py::arg("channels_last"), py::arg("simd") = true, py::call_guard<py::gil_scoped_release>(),
      "int8 (n, c, h, w) at x (element strides sn..sw) -> float32 (n, ct, h+2ph, w+2pw) at out, contiguous "
      "NHWC if channels_last else NCHW; border = offset_x, channels >= c = 0");
  m.def(
      "epilogue",
      [](uintptr_t y, int64_t n, int64_t groups, int64_t cout, int64_t p, int64_t sn, int64_t sc, int64_t sp,
         uintptr_t bias, uintptr_t scale, uintptr_t out, bool simd) {
        const qc::EpilogueArgs a{reinterpret_cast<const float*>(y), n, groups, cout, p, sn, sc, sp,
                                 reinterpret_cast<const int32_t*>(bias), reinterpret_cast<const float*>(scale),
                                 reinterpret_cast<uint16_t*>(out)};
        qc::epilogue(a, simd);
      },
      py::arg("y"), py::arg("n"), py::arg("groups"), py::arg("cout"), py::arg("p"), py::arg("sn"), py::arg("sc"),
      py::arg("sp"), py::arg("bias"), py::arg("scale"), py::arg("out"), py::arg("simd") = true,
      py::call_guard<py::gil_scoped_release>(),
      "float32 exact-integer partials (n, groups*cout, p) -> float16 (n, cout, p) contiguous: sum of int32 "
      "partials + int32 bias (0 = none), * scale, clamp +-65504, RNE");
}
