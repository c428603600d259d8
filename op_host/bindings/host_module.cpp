// qconv._host: the op_host core for Python (qconv.host wraps it). Checks and shape inference return a
// message instead of raising, as across every other boundary of the core; tiling errors surface as
// ValueError (shape outside the engine's preconditions) or RuntimeError (nothing fits the SoC).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <qconv_generated/soc_table.h>

#include <qconv_generated/limits.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "op_host/core/check_params.h"
#include "op_host/core/conv_params.h"
#include "op_host/core/infer_shape.h"
#include "op_host/core/message.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_host/verify/tiling_invariants.h"

namespace py = pybind11;

namespace qconv {
namespace {

const SocSpec& SocByName(const std::string& name) {
    const SocSpec* soc = soc_table::Find(name);
    if (soc == nullptr) {
        throw py::value_error(FormatMessage(limits::messages::kNotSupported,
                                            {{"param", "soc"}, {"value", name}, {"allowed", soc_table::kSocNames}}));
    }
    return *soc;
}

// Strict conversions of the dicts' values. pybind11's casters convert (a numpy float32 through __int__,
// truncating); every integer here must be an exact Python integer (__index__, not a bool) that fits
// int64, every text a str, and a refusal names the key, the value and what is allowed, in limits.yaml's
// wording.
std::string Repr(py::handle v) { return py::repr(v).cast<std::string>(); }

py::object Item(const py::dict& d, const std::string& key) {
    if (!d.contains(key)) throw py::key_error("missing key '" + key + "'");
    return d[key.c_str()];
}

int64_t ExactInt(py::handle v, const std::string& param) {
    if (py::isinstance<py::bool_>(v) || !PyIndex_Check(v.ptr())) {
        throw py::type_error(FormatMessage(limits::messages::kNotInteger,
                                           {{"param", param}, {"value", Repr(v)}, {"allowed", "an int64 integer"}}));
    }
    const py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) {
        throw py::value_error(FormatMessage(limits::messages::kOutOfRange,
                                            {{"param", param}, {"value", Repr(index)},
                                             {"min", ToText(std::numeric_limits<int64_t>::min())},
                                             {"max", ToText(std::numeric_limits<int64_t>::max())}}));
    }
    if (value == -1 && PyErr_Occurred()) throw py::error_already_set();
    return static_cast<int64_t>(value);
}

std::vector<int64_t> ExactInts(py::handle v, const std::string& param) {
    if (!py::isinstance<py::list>(v) && !py::isinstance<py::tuple>(v)) {
        throw py::type_error(FormatMessage(limits::messages::kNotSupported,
                                           {{"param", param}, {"value", Repr(v)}, {"allowed", "a list of integers"}}));
    }
    std::vector<int64_t> out;
    size_t i = 0;
    for (py::handle item : v) out.push_back(ExactInt(item, param + "[" + std::to_string(i++) + "]"));
    return out;
}

std::string Text(py::handle v, const std::string& param) {
    if (!py::isinstance<py::str>(v)) {
        throw py::type_error(FormatMessage(limits::messages::kNotSupported,
                                           {{"param", param}, {"value", Repr(v)}, {"allowed", "a str"}}));
    }
    return v.cast<std::string>();
}

TensorDesc Tensor(const py::dict& d, const std::string& name) {
    TensorDesc t;
    t.shape = ExactInts(Item(d, name), name + ".shape");
    t.dtype = Text(Item(d, name + "_dtype"), name + "_dtype");
    return t;
}

// Keys: input, weight, scale, bias (shape lists; bias may be None) with <name>_dtype (torch spelling),
// has_offset, strides, pads, dilations, groups, offset_x, round_mode, output_dtype.
ConvParams ParamsFromDict(const py::dict& d) {
    ConvParams p;
    p.input = Tensor(d, "input");
    p.weight = Tensor(d, "weight");
    p.scale = Tensor(d, "scale");
    if (d.contains("bias") && !d["bias"].is_none()) p.bias = Tensor(d, "bias");
    if (d.contains("has_offset")) {
        const py::object has_offset = d["has_offset"];
        if (!py::isinstance<py::bool_>(has_offset)) {
            throw py::type_error(FormatMessage(limits::messages::kNotSupported, {{"param", "has_offset"},
                                                                                {"value", Repr(has_offset)},
                                                                                {"allowed", "True or False"}}));
        }
        p.has_offset = has_offset.cast<bool>();
    }
    p.strides = ExactInts(Item(d, "strides"), "strides");
    p.pads = ExactInts(Item(d, "pads"), "pads");
    p.dilations = ExactInts(Item(d, "dilations"), "dilations");
    p.groups = ExactInt(Item(d, "groups"), "groups");
    p.offset_x = ExactInt(Item(d, "offset_x"), "offset_x");
    p.round_mode = Text(Item(d, "round_mode"), "round_mode");
    p.output_dtype = Text(Item(d, "output_dtype"), "output_dtype");
    return p;
}

// The ConvShape fields in the column order of verify_tilings' array.
const std::vector<std::string> kShapeFields = {"batch",      "cin",        "hin",    "win",      "cout",     "kh",
                                               "kw",         "stride_h",   "stride_w", "pad_h", "pad_w", "dilation_h",
                                               "dilation_w", "groups", "offset_x", "has_bias", "scale_kind"};

ConvShape ShapeFromRow(const int64_t* v) {
    ConvShape s;
    s.batch = v[0];
    s.cin = v[1];
    s.hin = v[2];
    s.win = v[3];
    s.cout = v[4];
    s.kh = v[5];
    s.kw = v[6];
    s.stride_h = v[7];
    s.stride_w = v[8];
    s.pad_h = v[9];
    s.pad_w = v[10];
    s.dilation_h = v[11];
    s.dilation_w = v[12];
    s.groups = v[13];
    s.offset_x = v[14];
    s.has_bias = v[15] != 0;
    s.scale_kind = v[16] != 0 ? ScaleKind::kFloat32 : ScaleKind::kQuantPreWord;
    return s;
}

ConvShape ShapeFromDict(const py::dict& d) {
    std::vector<int64_t> row;
    const int64_t fallback[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0};
    for (size_t i = 0; i < kShapeFields.size(); ++i) {
        const char* key = kShapeFields[i].c_str();
        if (!d.contains(key)) {
            row.push_back(fallback[i]);
        } else if (kShapeFields[i] == "scale_kind" && py::isinstance<py::str>(d[key])) {
            const std::string kind = d[key].cast<std::string>();
            if (kind != "int64" && kind != "float32") {
                throw py::value_error(FormatMessage(limits::messages::kNotSupported,
                                                    {{"param", "scale_kind"}, {"value", "'" + kind + "'"},
                                                     {"allowed", "'int64', 'float32'"}}));
            }
            row.push_back(kind == "float32" ? 1 : 0);
        } else {
            row.push_back(ExactInt(d[key], kShapeFields[i]));
        }
    }
    ConvShape s = ShapeFromRow(row.data());
    if (d.contains("weight_format")) {  // 0 plain NCHW filter (the default), 1 FRACTAL_Z
        const int64_t format = ExactInt(d["weight_format"], "weight_format");
        if (format != 0 && format != 1) {
            throw py::value_error(FormatMessage(limits::messages::kNotSupported,
                                                {{"param", "weight_format"}, {"value", std::to_string(format)},
                                                 {"allowed", "0 (NCHW), 1 (FRACTAL_Z)"}}));
        }
        s.weight_format = format == 1 ? WeightFormat::kFractalZ : WeightFormat::kNchw;
    }
    return s;
}

py::dict SocToDict(const SocSpec& s) {
    py::dict d;
    d["name"] = s.name;
    d["npu_arch"] = s.npu_arch;
    d["topology"] = s.topology == CoreTopology::kSplit ? "split" : "coupled";
    d["cube_cores"] = s.cube_cores;
    d["vector_per_cube"] = s.vector_per_cube;
    d["l1_bytes"] = s.l1_bytes;
    d["l0a_bytes"] = s.l0a_bytes;
    d["l0b_bytes"] = s.l0b_bytes;
    d["l0c_bytes"] = s.l0c_bytes;
    d["ub_bytes"] = s.ub_bytes;
    d["bias_table_bytes"] = s.bias_table_bytes;
    d["fixpipe_buffer_bytes"] = s.fixpipe_buffer_bytes;
    d["l1_align"] = s.l1_align;
    d["l0ab_align"] = s.l0ab_align;
    d["l0c_align"] = s.l0c_align;
    d["ub_align"] = s.ub_align;
    d["bias_table_align"] = s.bias_table_align;
    d["fixpipe_buffer_align"] = s.fixpipe_buffer_align;
    d["mmad_dst_align"] = s.mmad_dst_align;
    d["m0"] = s.m0;
    d["k0"] = s.k0;
    d["n0"] = s.n0;
    d["cube_int8_macs_per_cycle"] = s.cube_int8_macs_per_cycle;
    d["l1_to_l0a_bytes_per_cycle"] = s.l1_to_l0a_bytes_per_cycle;
    d["l1_to_l0b_bytes_per_cycle"] = s.l1_to_l0b_bytes_per_cycle;
    d["gm_bytes_per_cycle_per_core"] = s.gm_bytes_per_cycle_per_core;
    d["l2_bytes_per_cycle_per_core"] = s.l2_bytes_per_cycle_per_core;
    d["clock_ghz"] = s.clock_ghz;
    d["output_width_one_supported"] = s.output_width_one_supported;
    d["epilogue"] = s.epilogue == EpilogueKind::kVectorFromWorkspace ? "vector_from_workspace" : "vector_from_l0c";
    d["load3d_k_limit"] = s.load3d_k_limit;
    return d;
}

// QCONV_TILING_FIELDS: the POD's field list, op_kernel/quant_conv2d_tiling_data.h.
py::dict TilingToDict(const tiling::TilingResult& r) {
    py::dict data;
#define QCONV_PUT(field) data[#field] = r.data.field;
    QCONV_TILING_FIELDS(QCONV_PUT)
#undef QCONV_PUT
    py::dict buffers;
    const std::pair<const char*, const tiling::BufferUse*> levels[] = {
        {"l1", &r.report.l1}, {"l0a", &r.report.l0a}, {"l0b", &r.report.l0b}, {"l0c", &r.report.l0c}, {"ub", &r.report.ub}};
    for (const auto& [name, use] : levels) {
        py::dict level;
        level["used_bytes"] = use->used_bytes;
        level["capacity_bytes"] = use->capacity_bytes;
        buffers[name] = level;
    }
    const tiling::CostTerms& c = r.report.cost;
    py::dict cost;
    cost["macs"] = c.macs;
    cost["cube_cycles"] = c.cube_cycles;
    cost["gm_to_l1_bytes"] = c.gm_to_l1_bytes;
    cost["l2_reread_bytes"] = c.l2_reread_bytes;
    cost["l1_to_l0a_bytes"] = c.l1_to_l0a_bytes;
    cost["l1_to_l0b_bytes"] = c.l1_to_l0b_bytes;
    cost["out_bytes"] = c.out_bytes;
    cost["mte2_cycles"] = c.mte2_cycles;
    cost["mte1_cycles"] = c.mte1_cycles;
    cost["out_cycles"] = c.out_cycles;
    cost["layout_cycles"] = c.layout_cycles;
    cost["total_cycles"] = c.total_cycles;
    cost["time_us"] = c.time_us;
    cost["cube_bound_us"] = c.cube_bound_us;
    cost["cube_utilisation"] = c.cube_utilisation;
    py::dict report;
    report["buffers"] = buffers;
    report["workspace_bytes"] = r.report.workspace_bytes;
    report["tiles_per_block"] = r.report.tiles_per_block;
    report["candidates_evaluated"] = r.report.candidates_evaluated;
    report["cost"] = cost;
    py::dict out;
    out["data"] = data;
    out["report"] = report;
    return out;
}

// Sets tiling-data fields by name: the tests corrupt a correct tiling to prove the invariant walker fails.
void ApplyOverrides(QuantConv2dTilingData& td, const py::dict& overrides) {
    for (const auto& [key, value] : overrides) {
        const std::string name = key.cast<std::string>();
        bool known = false;
#define QCONV_SET(field)                                              \
        if (name == #field) {                                         \
            td.field = value.cast<decltype(QuantConv2dTilingData::field)>(); \
            known = true;                                             \
        }
        QCONV_TILING_FIELDS(QCONV_SET)
#undef QCONV_SET
        if (!known) throw py::key_error("no tiling-data field " + name);
    }
}

py::dict StatsToDict(const Status& status, const verify::InvariantStats& stats) {
    py::dict d;
    d["ok"] = status.ok;
    d["message"] = status.message;
    d["tiles"] = stats.tiles;
    d["covered_elements"] = stats.covered_elements;
    d["slabs_checked"] = stats.slabs_checked;
    d["max_block_tiles"] = stats.max_block_tiles;
    d["max_fmap_slab_bytes"] = stats.max_fmap_slab_bytes;
    return d;
}

}  // namespace
}  // namespace qconv

PYBIND11_MODULE(_host, m) {
    using namespace qconv;
    m.doc() = "op_host core: parameter checks, shape inference, tiling (wrapped by qconv.host)";

    m.def("socs", [] {
        py::list out;
        for (const SocSpec& s : soc_table::kSocs) out.append(SocToDict(s));
        return out;
    }, "Every SoC of the generated table (configs/socs.yaml) as a dict of its SocSpec fields.");

    m.def("check_params", [](const py::dict& params, const std::optional<std::string>& soc) -> std::optional<std::string> {
        const ConvParams p = ParamsFromDict(params);
        const Status s = CheckParams(p, soc ? &SocByName(*soc) : nullptr);
        if (s.ok) return std::nullopt;
        return s.message;
    }, py::arg("params"), py::arg("soc") = py::none(),
          "None when the arguments are valid, else the message of the first violated rule.");

    m.def("infer_shape", [](const py::dict& params) -> py::tuple {
        OutputDims out;
        const Status s = InferShape(ParamsFromDict(params), &out);
        if (!s.ok) return py::make_tuple(s.message, py::none());
        return py::make_tuple(py::none(), py::make_tuple(out.n, out.c, out.h, out.w));
    }, py::arg("params"), "(None, (N, Cout, Ho, Wo)) or (message, None).");

    m.def("tiling", [](const py::dict& shape, const std::string& soc) {
        return TilingToDict(tiling::ComputeTiling(ShapeFromDict(shape), SocByName(soc)));
    }, py::arg("shape"), py::arg("soc"), "The tiling of a checked ConvShape (dict of its fields) on a SoC.");

    m.def("verify_tiling", [](const py::dict& shape, const std::string& soc, const std::optional<py::dict>& overrides,
                              bool every_slab) {
        const ConvShape s = ShapeFromDict(shape);
        const SocSpec& spec = SocByName(soc);
        tiling::TilingResult result = tiling::ComputeTiling(s, spec);
        if (overrides) ApplyOverrides(result.data, *overrides);
        verify::InvariantStats stats;
        const Status status =
            verify::CheckTilingInvariants(s, spec, result, &stats, verify::kDefaultMaxWalkTiles, every_slab);
        return StatsToDict(status, stats);
    }, py::arg("shape"), py::arg("soc"), py::arg("overrides") = py::none(), py::arg("every_slab") = false,
          "Checks every tiling invariant of one shape (optionally with tiling-data fields overridden; every_slab: "
          "measure the fmap slab of every (tile, chunk) pair one by one); returns ok, message and counts.");

    m.def("verify_tilings", [](py::array_t<int64_t, py::array::c_style | py::array::forcecast> shapes,
                               const std::string& soc, uint64_t max_walk_tiles) {
        if (shapes.ndim() != 2 || shapes.shape(1) != static_cast<py::ssize_t>(kShapeFields.size())) {
            throw py::value_error("shapes must be an (n, " + std::to_string(kShapeFields.size()) + ") int64 array");
        }
        const SocSpec& spec = SocByName(soc);
        const int64_t* rows = shapes.data();
        const py::ssize_t n = shapes.shape(0);
        verify::InvariantStats stats;
        std::vector<std::pair<py::ssize_t, std::string>> bad;
        py::array_t<uint64_t> block_tiles(n), report_tiles(n);
        {
            auto walked = block_tiles.mutable_unchecked<1>();
            auto reported = report_tiles.mutable_unchecked<1>();
            py::gil_scoped_release release;
            for (py::ssize_t i = 0; i < n; ++i) {
                const ConvShape s = ShapeFromRow(rows + i * static_cast<py::ssize_t>(kShapeFields.size()));
                verify::InvariantStats one;
                Status status;
                reported(i) = 0;
                try {
                    const tiling::TilingResult result = tiling::ComputeTiling(s, spec);
                    reported(i) = result.report.tiles_per_block;
                    status = verify::CheckTilingInvariants(s, spec, result, &one, max_walk_tiles);
                } catch (const std::exception& e) {
                    status = Status::Error(std::string("ComputeTiling failed: ") + e.what());
                }
                if (!status.ok) bad.emplace_back(i, status.message);
                walked(i) = one.max_block_tiles;
                stats.tilings += one.tilings;
                stats.unwalked += one.unwalked;
                stats.tiles += one.tiles;
                stats.covered_elements += one.covered_elements;
                stats.slabs_checked += one.slabs_checked;
            }
        }
        py::list failures;
        for (auto& [i, message] : bad) failures.append(py::make_tuple(i, message));
        py::dict out;
        out["failures"] = failures;
        out["tilings"] = stats.tilings;
        out["unwalked"] = stats.unwalked;
        out["tiles"] = stats.tiles;
        out["covered_elements"] = stats.covered_elements;
        out["slabs_checked"] = stats.slabs_checked;
        out["block_tiles"] = block_tiles;
        out["report_tiles_per_block"] = report_tiles;
        return out;
    }, py::arg("shapes"), py::arg("soc"), py::arg("max_walk_tiles") = verify::kDefaultMaxWalkTiles,
          "Tiles and verifies each row (columns: SHAPE_FIELDS) in one call; returns failures [(row, message)], "
          "totals (tilings, unwalked: schedules longer than max_walk_tiles, checked except the tile walk; tiles, "
          "covered_elements, slabs_checked) and per row the walked busiest block's tiles (block_tiles) and the "
          "engine's report of it (report_tiles_per_block).");

    m.attr("SHAPE_FIELDS") = py::tuple(py::cast(kShapeFields));
}
