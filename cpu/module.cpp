// qconv._cpu: the exact CPU op's native code (the int16 convolution; the cast/pad and epilogue passes
// around the float32 convolution), on raw tensor memory
// (python/qconv/cpu_conv.py passes data_ptr()s of tensors it allocated or validated). The GIL is
// released while a pass runs.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "int_conv.h"
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

namespace {
qc::IntKernel to_kind(int kind) {
  if (kind != 2 && kind != 4) throw py::value_error("kind = " + std::to_string(kind) + " is not supported; allowed: 2, 4");
  return static_cast<qc::IntKernel>(kind);
}
}  // namespace

PYBIND11_MODULE(_cpu, m) {
  m.doc() = "Exact CPU QuantConv2d: int16 SIMD convolution, fused float32 cast/pad and float16 epilogue";
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
  m.def("has_avx512_vnni", &qc::has_avx512_vnni, "True when the VNNI kernel (quads) of int_conv runs");
  m.def(
      "best_int_kernel", [] { return static_cast<int>(qc::best_int_kernel()); },
      "the int_conv kind this CPU runs fastest: 4 (quads, AVX-512 VNNI) or 2 (pairs, AVX2 or scalar)");
  m.def(
      "packed_weight_bytes",
      [](int kind, int64_t cout, int64_t cin, int64_t kh, int64_t kw, int64_t dh, int64_t dw) {
        return qc::packed_weight_bytes(cout, qc::plan_reduction(to_kind(kind), cin, kh, kw, dh, dw));
      },
      py::arg("kind"), py::arg("cout"), py::arg("cin"), py::arg("kh"), py::arg("kw"), py::arg("dh"), py::arg("dw"),
      "bytes of the packed weight of int_conv for kind 2 (pairs) or 4 (quads)");
  m.def(
      "pack_weight",
      [](int kind, uintptr_t w, int64_t cout, int64_t cin, int64_t kh, int64_t kw, int64_t dh, int64_t dw,
         uintptr_t packed) {
        qc::pack_weight(reinterpret_cast<const int8_t*>(w), cout,
                        qc::plan_reduction(to_kind(kind), cin, kh, kw, dh, dw), reinterpret_cast<uint8_t*>(packed));
      },
      py::arg("kind"), py::arg("w"), py::arg("cout"), py::arg("cin"), py::arg("kh"), py::arg("kw"), py::arg("dh"),
      py::arg("dw"), py::arg("packed"), py::call_guard<py::gil_scoped_release>(),
      "int8 (cout, cin, kh, kw) contiguous at w -> int_conv's packed weight at packed (packed_weight_bytes)");
  m.def(
      "int_conv",
      [](int kind, uintptr_t x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t sn, int64_t sc, int64_t sh,
         int64_t sw, uintptr_t packed, int64_t cout, int64_t kh, int64_t kw, int64_t stride_h, int64_t stride_w,
         int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w, int64_t ho, int64_t wo, int32_t offset_x,
         uintptr_t bias, uintptr_t scale, uintptr_t out, int vector_bits) {
        const qc::IntConvArgs a{to_kind(kind),
                                {reinterpret_cast<const int8_t*>(x), n, c, h, w, sn, sc, sh, sw},
                                cout, kh, kw, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, ho, wo, offset_x,
                                reinterpret_cast<const uint8_t*>(packed), reinterpret_cast<const int32_t*>(bias),
                                reinterpret_cast<const float*>(scale), reinterpret_cast<uint16_t*>(out)};
        qc::int_conv(a, vector_bits);
      },
      py::arg("kind"), py::arg("x"), py::arg("n"), py::arg("c"), py::arg("h"), py::arg("w"), py::arg("sn"),
      py::arg("sc"), py::arg("sh"), py::arg("sw"), py::arg("packed"), py::arg("cout"), py::arg("kh"), py::arg("kw"),
      py::arg("stride_h"), py::arg("stride_w"), py::arg("pad_h"), py::arg("pad_w"), py::arg("dil_h"),
      py::arg("dil_w"), py::arg("ho"), py::arg("wo"), py::arg("offset_x"), py::arg("bias"), py::arg("scale"),
      py::arg("out"), py::arg("vector_bits") = 512, py::call_guard<py::gil_scoped_release>(),
      "exact QuantConv2d of int8 x (element strides sn..sw) with the packed weight of `kind` -> float16 "
      "(n, cout, ho, wo) contiguous at out; bias int32 (0 = none), scale float32 at hardware precision; "
      "vector_bits 512, 256 or 0 (scalar): the widest vectors it may use");
}
