// qconv._sim_faults (tests only): the proofs that the twin's sanitizer checks fire. run_fault launches one
// of the deliberately broken kernels of tests/sim_faults/; run_with_tiling launches the real kernel with
// tiling-data fields overridden (a broken tiling). Both raise SimError when the twin stops the run.
// run_on_workspace launches the real kernel on a caller's uncleared workspace (tests/test_sim_sync_area.py).
#include <map>

#include "op_kernel/bindings/sim_runner.h"

extern "C" void quant_conv2d_custom_2201(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);
extern "C" void quant_conv2d_custom_2002(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);

#define QCONV_DECLARE_FAULT(name)                                                                               \
    extern "C" void name##_2201(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);        \
    extern "C" void name##_2002(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);
#define QCONV_DECLARE_FAULT_2201(name) \
    extern "C" void name##_2201(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);

#define QCONV_FAULTS_BOTH(X) \
    X(fault_ub_out_of_bounds) X(fault_misaligned_ub) X(fault_use_after_free) X(fault_gm_out_of_bounds) \
    X(fault_undefined_output) X(fault_missing_sync) X(fault_double_set_flag) X(fault_wait_without_set) \
    X(fault_flag_left_set) X(fault_sync_all_unzeroed) X(fault_unsupported_cast_mode) X(fault_event_ids_exhausted)
#define QCONV_FAULTS_2201(X) X(fault_cross_core_deadlock) X(fault_cross_core_unmatched) X(fault_cross_core_overflow) \
    X(fault_cross_core_pipe_s)
#define QCONV_FAULTS_2002(X) X(fault_load3d_channel_size) X(fault_load3d_m_start) X(fault_padding_sign_extended) \
    X(fault_missing_pipe_v_barrier) X(fault_scalar_store_cache_line) X(fault_gather_byte_offsets)
#define QCONV_DECLARE_FAULT_2002(name) \
    extern "C" void name##_2002(uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*, uint8_t*);

QCONV_FAULTS_BOTH(QCONV_DECLARE_FAULT)
QCONV_FAULTS_2201(QCONV_DECLARE_FAULT_2201)
QCONV_FAULTS_2002(QCONV_DECLARE_FAULT_2002)

namespace py = pybind11;
using namespace qconv;
using namespace qconv::sim_binding;

namespace {

struct FaultEntry {
    sim::Kernel k2201 = nullptr;
    sim::Kernel k2002 = nullptr;
};

const std::map<std::string, FaultEntry>& Faults() {
    static const std::map<std::string, FaultEntry> table = [] {
        std::map<std::string, FaultEntry> t;
#define QCONV_ADD_BOTH(name) t[#name] = FaultEntry{&name##_2201, &name##_2002};
#define QCONV_ADD_2201(name) t[#name] = FaultEntry{&name##_2201, nullptr};
#define QCONV_ADD_2002(name) t[#name] = FaultEntry{nullptr, &name##_2002};
        QCONV_FAULTS_BOTH(QCONV_ADD_BOTH)
        QCONV_FAULTS_2201(QCONV_ADD_2201)
        QCONV_FAULTS_2002(QCONV_ADD_2002)
#undef QCONV_ADD_BOTH
#undef QCONV_ADD_2201
#undef QCONV_ADD_2002
        return t;
    }();
    return table;
}

// Launches fault kernel `name` on two blocks of `soc` with 256-byte x and y and a 4 KB workspace.
void RunFault(const std::string& name, const std::string& soc_name) {
    const auto it = Faults().find(name);
    if (it == Faults().end()) throw py::value_error("no fault kernel named " + name);
    const SocSpec& soc = FindSoc(soc_name);
    const sim::Kernel kernel = soc.npu_arch == 2002 ? it->second.k2002 : it->second.k2201;
    if (kernel == nullptr) {
        throw py::value_error(name + " exists for arch " + (soc.npu_arch == 2002 ? "2201" : "2002") + " only");
    }
    std::vector<int8_t> x(256, 1), weight(256, 1), y(256, 0);
    std::vector<int64_t> scale(16, 0);
    std::vector<int32_t> bias(16, 0);
    std::vector<uint8_t> workspace(4096, 0), tiling(512, 0);
    std::vector<sim::GmBuffer> args = {
        {"x", x.data(), x.size(), sim::GmRole::kInput},
        {"weight", weight.data(), weight.size(), sim::GmRole::kInput},
        {"scale", scale.data(), scale.size() * 8, sim::GmRole::kInput},
        {"bias", bias.data(), bias.size() * 4, sim::GmRole::kInput},
        {"y", y.data(), y.size(), sim::GmRole::kOutput},
        {"workspace", workspace.data(), workspace.size(), sim::GmRole::kWorkspace},
        {"tiling", tiling.data(), tiling.size(), sim::GmRole::kTiling},
    };
    py::gil_scoped_release release;
    sim::Launch(soc, 2, kernel, std::move(args));
}

// Tiling-data fields a test may override, by name.
void SetField(QuantConv2dTilingData& td, const std::string& name, uint64_t value) {
    const std::map<std::string, uint32_t QuantConv2dTilingData::*> u32 = {
        {"block_dim", &QuantConv2dTilingData::block_dim}, {"m_l0", &QuantConv2dTilingData::m_l0},
        {"n_l0", &QuantConv2dTilingData::n_l0},           {"k_l0", &QuantConv2dTilingData::k_l0},
        {"ub_m", &QuantConv2dTilingData::ub_m},           {"acc_slots", &QuantConv2dTilingData::acc_slots},
        {"fmap_l1_bytes", &QuantConv2dTilingData::fmap_l1_bytes},
        {"weight_l1_bytes", &QuantConv2dTilingData::weight_l1_bytes},
        {"c1", &QuantConv2dTilingData::c1},               {"cout", &QuantConv2dTilingData::cout},
        {"subsample_kind", &QuantConv2dTilingData::subsample_kind},  // tests/test_subsample_path.py: every item kind
        {"subsample_rows", &QuantConv2dTilingData::subsample_rows},
        {"subsample_groups", &QuantConv2dTilingData::subsample_groups},
    };
    const std::map<std::string, uint64_t QuantConv2dTilingData::*> u64 = {
        {"ws_total_bytes", &QuantConv2dTilingData::ws_total_bytes},
        {"ws_acc_offset", &QuantConv2dTilingData::ws_acc_offset},
        {"ws_weight_offset", &QuantConv2dTilingData::ws_weight_offset},
    };
    if (const auto f = u32.find(name); f != u32.end()) {
        td.*(f->second) = static_cast<uint32_t>(value);
    } else if (const auto g = u64.find(name); g != u64.end()) {
        td.*(g->second) = value;
    } else {
        throw py::value_error("tiling field " + name + " cannot be overridden");
    }
}

}  // namespace

PYBIND11_MODULE(_sim_faults, m) {
    m.doc() = "Deliberately broken kernels and tilings that prove the twin's sanitizer checks (tests only)";
    RegisterSimError(m);
    m.def("faults", [] {
        std::vector<std::string> names;
        for (const auto& [name, entry] : Faults()) names.push_back(name);
        return names;
    });
    m.def("has_2002", [](const std::string& name) { return Faults().at(name).k2002 != nullptr; });
    m.def("has_2201", [](const std::string& name) { return Faults().at(name).k2201 != nullptr; });
    m.def("run_fault", &RunFault, py::arg("name"), py::arg("soc"));
    m.def(
        "run_with_tiling",
        [](py::object x, py::object weight, py::object scale, py::object bias, std::vector<int64_t> stride,
           std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t offset_x, const std::string& soc,
           std::map<std::string, uint64_t> overrides) {
            const Problem p = ProblemFrom(std::move(x), std::move(weight), std::move(scale), std::move(bias),
                                          std::move(stride), std::move(padding), std::move(dilation), offset_x);
            return Run(
                p, soc,
                [](uint32_t arch) { return arch == 2002 ? &quant_conv2d_custom_2002 : &quant_conv2d_custom_2201; },
                [&overrides](QuantConv2dTilingData& td) {
                    for (const auto& [name, value] : overrides) SetField(td, name, value);
                });
        },
        py::arg("x"), py::arg("weight"), py::arg("scale"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("offset_x"), py::arg("soc"), py::arg("overrides"));
    m.def(
        "run_on_workspace",
        [](py::object x, py::object weight, py::object scale, py::object bias, std::vector<int64_t> stride,
           std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t offset_x, const std::string& soc,
           py::array workspace) {
            if (!workspace.dtype().is(py::dtype::of<uint8_t>()) || !(workspace.flags() & py::array::c_style) ||
                !workspace.writeable()) {
                throw py::type_error("workspace must be a writeable c-contiguous uint8 array");
            }
            const Problem p = ProblemFrom(std::move(x), std::move(weight), std::move(scale), std::move(bias),
                                          std::move(stride), std::move(padding), std::move(dilation), offset_x);
            return Run(
                p, soc,
                [](uint32_t arch) { return arch == 2002 ? &quant_conv2d_custom_2002 : &quant_conv2d_custom_2201; },
                nullptr,
                CallerWorkspace{static_cast<uint8_t*>(workspace.mutable_data()),
                                static_cast<uint64_t>(workspace.nbytes())});
        },
        py::arg("x"), py::arg("weight"), py::arg("scale"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("offset_x"), py::arg("soc"), py::arg("workspace"),
        "The real kernel on a workspace the caller owns and nothing clears (GE graph mode's pool memory).");
}
