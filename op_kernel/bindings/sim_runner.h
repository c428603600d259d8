// Running the QuantConv2d kernel in the CPU twin from Python: arguments from numpy arrays, checks and tiling
// from op_host, the launch, and the output plus per-core pipe counters back as Python objects. Shared by the
// `_sim` module and the test-only `_sim_faults` module (which adds broken kernels and tiling overrides).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "op_host/core/check_params.h"
#include "op_host/core/conv_params.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_kernel/quant_conv2d_tiling_data.h"
#include "qconv_generated/soc_table.h"
#include "sim/counters.h"
#include "sim/error.h"
#include "sim/launch.h"

namespace qconv::sim_binding {

namespace py = pybind11;

using TilingMutator = std::function<void(QuantConv2dTilingData&)>;

struct Problem {
    py::array x;       // c-contiguous; dtypes are checked by CheckParams
    py::array weight;  // (Cout, Cin, kh, kw), or FRACTAL_Z (C1*kh*kw, N1, 16, 32) when weight_shape is given
    std::vector<int64_t> weight_shape;  // FRACTAL_Z: the filter's logical (Cout, Cin, kh, kw); empty: plain NCHW
    py::array scale;
    py::object bias;  // None or int32 array
    std::vector<int64_t> stride;
    std::vector<int64_t> padding;
    std::vector<int64_t> dilation;
    int64_t offset_x = 0;
};

inline std::vector<int64_t> ShapeOf(const py::array& a) { return {a.shape(), a.shape() + a.ndim()}; }

inline std::string TorchDtypeName(const py::array& a) {
    const py::dtype d = a.dtype();
    if (d.is(py::dtype::of<int8_t>())) return "torch.int8";
    if (d.is(py::dtype::of<int32_t>())) return "torch.int32";
    if (d.is(py::dtype::of<int64_t>())) return "torch.int64";
    if (d.is(py::dtype::of<float>())) return "torch.float32";
    if (d.is(py::dtype::of<double>())) return "torch.float64";
    return "numpy." + py::str(d).cast<std::string>();
}

inline const SocSpec& FindSoc(const std::string& name) {
    const SocSpec* soc = soc_table::Find(name);
    if (soc == nullptr) {
        throw py::value_error("soc = " + name + " is not supported; allowed: " + soc_table::kSocNames);
    }
    return *soc;
}

// The kernel built for `arch` (2201 or 2002).
using KernelFor = std::function<sim::Kernel(uint32_t arch)>;

// A workspace the caller owns (tests: several launches on one workspace). The launcher uses it as it is and
// the twin sees all of it as undefined, as GE graph mode hands the kernel uncleared pool memory.
struct CallerWorkspace {
    uint8_t* data = nullptr;
    uint64_t bytes = 0;
};

// Checks (op_host CheckParams with the SoC's quirks), tiles, launches and returns (y, counters, tiling).
inline py::tuple Run(const Problem& p, const std::string& soc_name, const KernelFor& kernel_for,
                     const TilingMutator& mutate_tiling, const CallerWorkspace& caller = {}) {
    const SocSpec& soc = FindSoc(soc_name);
    ConvParams params;
    params.input = {ShapeOf(p.x), TorchDtypeName(p.x)};
    if (p.weight_shape.empty()) {
        params.weight = {ShapeOf(p.weight), TorchDtypeName(p.weight)};
    } else {
        params.weight = {p.weight_shape, TorchDtypeName(p.weight)};
        params.weight_format = WeightFormat::kFractalZ;
        params.weight_storage_shape = ShapeOf(p.weight);
    }
    params.scale = {ShapeOf(p.scale), TorchDtypeName(p.scale)};
    py::array bias_array;
    if (!p.bias.is_none()) {
        bias_array = py::array::ensure(p.bias, py::array::c_style);
        if (!bias_array) throw py::type_error("bias must be an int32 array or None");
        params.bias = TensorDesc{ShapeOf(bias_array), TorchDtypeName(bias_array)};
    }
    params.strides = p.stride;
    params.pads = p.padding;
    params.dilations = p.dilation;
    params.offset_x = p.offset_x;
    const Status status = CheckParams(params, &soc);
    if (!status.ok) throw py::value_error(status.message);
    const ConvShape shape = ToConvShape(params);

    tiling::TilingResult tiling = tiling::ComputeTiling(shape, soc);
    QuantConv2dTilingData td = tiling.data;
    if (mutate_tiling) mutate_tiling(td);

    const int64_t ho = OutputH(shape);
    const int64_t wo = OutputW(shape);
    py::array_t<uint16_t> y_bits({shape.batch, shape.cout, ho, wo});  // float16 bits; viewed as float16 below
    // The whole workspace starts undefined to the twin (as GE's pool memory is): 2002's soft SyncAll area
    // included, which the kernel clears itself before its barrier (stage_cross_core.h SoftSyncAll).
    if (caller.data != nullptr && caller.bytes < td.ws_total_bytes) {
        throw py::value_error("workspace holds " + std::to_string(caller.bytes) + " bytes; the tiling needs " +
                              std::to_string(td.ws_total_bytes));
    }
    std::vector<uint8_t> own_workspace(caller.data != nullptr ? 0 : td.ws_total_bytes, 0);
    uint8_t* const workspace = caller.data != nullptr ? caller.data : own_workspace.data();

    std::vector<sim::GmBuffer> args = {
        {"x", const_cast<void*>(p.x.data()), static_cast<uint64_t>(p.x.nbytes()), sim::GmRole::kInput},
        {"weight", const_cast<void*>(p.weight.data()), static_cast<uint64_t>(p.weight.nbytes()), sim::GmRole::kInput},
        {"scale", const_cast<void*>(p.scale.data()), static_cast<uint64_t>(p.scale.nbytes()), sim::GmRole::kInput},
        {"bias", bias_array ? const_cast<void*>(bias_array.data()) : nullptr,
         bias_array ? static_cast<uint64_t>(bias_array.nbytes()) : 0, sim::GmRole::kInput},
        {"y", y_bits.mutable_data(), static_cast<uint64_t>(y_bits.nbytes()), sim::GmRole::kOutput},
        {"workspace", workspace, td.ws_total_bytes, sim::GmRole::kWorkspace},
        {"tiling", &td, sizeof(td), sim::GmRole::kTiling},
    };
    py::dict gm_buffer_bytes;  // sizes of the launch's GM buffers: the cycle model's working set
    for (const sim::GmBuffer& b : args) gm_buffer_bytes[py::str(b.name)] = b.bytes;
    const sim::Kernel kernel = kernel_for(soc.npu_arch);
    uint8_t* const ptrs[7] = {static_cast<uint8_t*>(args[0].data), static_cast<uint8_t*>(args[1].data),
                              static_cast<uint8_t*>(args[2].data), static_cast<uint8_t*>(args[3].data),
                              static_cast<uint8_t*>(args[4].data), static_cast<uint8_t*>(args[5].data),
                              static_cast<uint8_t*>(args[6].data)};
    sim::LaunchResult result;
    {
        py::gil_scoped_release release;
        result = sim::LaunchBody(
            soc, td.block_dim, [&]() { kernel(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6]); },
            std::move(args), soc.npu_arch);
    }

    py::list cores;
    for (const sim::CoreReport& core : result.cores) {
        py::dict pipes;
        for (int i = 0; i < sim::kPipeCount; ++i) {
            const sim::PipeCounter& c = core.counters.pipe[i];
            py::dict d;
            d["instructions"] = c.instructions;
            d["bytes"] = c.bytes;
            d["elements"] = c.elements;
            pipes[sim::PipeName(static_cast<sim::Pipe>(i))] = d;
        }
        py::list phases;
        for (const sim::PhaseCounters& ph : core.counters.phases) {
            py::dict phase_pipes;
            for (int i = 0; i < sim::kPipeCount; ++i) {
                const sim::PipeCounter& c = ph.pipe[i];
                py::dict d;
                d["instructions"] = c.instructions;
                d["bytes"] = c.bytes;
                d["elements"] = c.elements;
                py::dict gm;
                for (const auto& [arg, t] : ph.gm[i]) {
                    py::dict rw;
                    rw["read"] = t.read;
                    rw["written"] = t.written;
                    rw["first_read"] = t.first_read;
                    gm[py::str(arg)] = rw;
                }
                d["gm"] = gm;
                py::dict local;
                for (const auto& [mem, bytes] : ph.local_written[i]) local[py::str(mem)] = bytes;
                d["local"] = local;
                phase_pipes[sim::PipeName(static_cast<sim::Pipe>(i))] = d;
            }
            phases.append(phase_pipes);
        }
        py::dict entry;
        entry["phases"] = phases;
        entry["name"] = core.name;
        entry["block"] = core.block_idx;
        entry["sub"] = core.sub_idx;
        entry["pipes"] = pipes;
        cores.append(entry);
    }
    py::dict tiling_info;
    tiling_info["block_dim"] = td.block_dim;
    tiling_info["m_l0"] = td.m_l0;
    tiling_info["n_l0"] = td.n_l0;
    tiling_info["k_l0"] = td.k_l0;
    tiling_info["acc_slots"] = td.acc_slots;
    tiling_info["m_images"] = td.m_images;
    tiling_info["k_dim"] = td.k_dim;
    tiling_info["fmap_path"] = td.fmap_path;
    tiling_info["workspace_bytes"] = td.ws_total_bytes;
    tiling_info["gm_buffer_bytes"] = gm_buffer_bytes;
    return py::make_tuple(y_bits.attr("view")("float16"), cores, tiling_info);
}

inline py::array Contiguous(const py::object& a, const char* name) {
    py::array arr = py::array::ensure(a, py::array::c_style);
    if (!arr) throw py::type_error(std::string(name) + " must be an array");
    return arr;
}

inline Problem ProblemFrom(py::object x, py::object weight, py::object scale, py::object bias, std::vector<int64_t> stride,
                           std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t offset_x,
                           std::vector<int64_t> weight_shape = {}) {
    Problem p;
    p.weight_shape = std::move(weight_shape);
    p.x = Contiguous(x, "input");
    p.weight = Contiguous(weight, "weight");
    p.scale = Contiguous(scale, "scale");
    p.bias = std::move(bias);
    p.stride = std::move(stride);
    p.padding = std::move(padding);
    p.dilation = std::move(dilation);
    p.offset_x = offset_x;
    return p;
}

// SimError (a sanitizer finding) reaches Python as <module>.SimError, a RuntimeError. Module-local, so _sim and
// _sim_faults each raise their own class.
inline void RegisterSimError(py::module_& m) { py::register_local_exception<sim::SimError>(m, "SimError", PyExc_RuntimeError); }

}  // namespace qconv::sim_binding
