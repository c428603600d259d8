"""The op package's generated pieces agree with configs/ and with the torch schema: CMakePresets.json,
aic-<soc>-ops-info.json, the OpDef source, msopgen's op.json (tools/pkg.sh --stage) and the aclnn call of
the NPU adapter. Building the package itself needs CANN; tools/pkg.sh without it must say so."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import torch
import yaml

import qconv  # noqa: F401  defines torch.ops.qconv.quant_conv2d
from qconv._generated import op_decl

ROOT = pathlib.Path(__file__).resolve().parent.parent
OP = yaml.safe_load((ROOT / "configs" / "op.yaml").read_text())
SOCS = yaml.safe_load((ROOT / "configs" / "socs.yaml").read_text())
SOC_NAMES = [s["name"] for s in SOCS["socs"]]
# The interface issue 4 fixes (spelled here on purpose: the generated files must match it).
GE_INPUTS = ["x", "filter", "scale", "bias"]
GE_ATTRS = ["strides", "pads", "dilations", "groups", "data_format", "offset_x", "round_mode", "dtype"]
GE_DT = {"int8": "DT_INT8", "int32": "DT_INT32", "int64": "DT_INT64", "float32": "DT_FLOAT", "float16": "DT_FLOAT16"}


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "stage"
    env = {**os.environ, "PYTHON": sys.executable, "QCONV_BUILD_DIR": str(out.parent / "build")}
    env.pop("ASCEND_HOME_PATH", None)
    subprocess.run([str(ROOT / "tools" / "pkg.sh"), "--stage", str(out)], check=True, env=env, capture_output=True)
    return out


def soc_columns(soc):
    """dtype name per GE input/output for each of the SoC's combinations."""
    cols = soc["op_combinations"]
    return {t["name"]: [t["dtypes"][c] for c in cols] for t in OP["ge"]["inputs"] + OP["ge"]["outputs"]}


def test_declaration_matches_the_issue_and_the_torch_schema():
    assert [t["name"] for t in OP["ge"]["inputs"]] == GE_INPUTS
    assert [a["name"] for a in OP["ge"]["attrs"]] == GE_ATTRS
    assert OP["ge"]["op_type"] == op_decl.GE_OP_TYPE == "QuantConv2dCustom"
    schema = {a.name: a for a in torch.ops.qconv.quant_conv2d.default._schema.arguments}
    assert list(schema) == [name for name, _, _ in op_decl.TORCH_ARGS]
    for t in OP["ge"]["inputs"]:      # optional GE input <-> Tensor? torch argument
        assert str(schema[t["torch_arg"]].type) == ("Optional[Tensor]" if t["param_type"] == "optional" else "Tensor")
    for a in OP["ge"]["attrs"]:
        if "from" in a:
            assert a["from"] in schema


def test_presets_list_every_soc_and_the_vendor(stage):
    variables = json.loads((stage / "CMakePresets.json").read_text())["configurePresets"][0]["cacheVariables"]
    assert variables["ASCEND_COMPUTE_UNIT"]["value"].split(";") == SOC_NAMES
    assert variables["vendor_name"]["value"] == SOCS["package"]["vendor_name"] == "qconv"


@pytest.mark.parametrize("soc", SOCS["socs"], ids=SOC_NAMES)
def test_ops_info_per_soc(stage, soc):
    path = stage / "expected" / "op_impl" / "ai_core" / "tbe" / "config" / soc["name"] / \
        f"aic-{soc['name']}-ops-info.json"
    info = json.loads(path.read_text())["QuantConv2dCustom"]
    columns = soc_columns(soc)
    for i, decl in enumerate(OP["ge"]["inputs"]):
        entry = info[f"input{i}"]
        assert entry["name"] == decl["name"] and entry["paramType"] == decl["param_type"]
        assert entry["dtype"].split(",") == columns[decl["name"]]
        formats = decl["format"] if isinstance(decl["format"], list) else [decl["format"]] * len(decl["dtypes"])
        assert entry["format"].split(",") == [formats[c] for c in soc["op_combinations"]]
    assert info["output0"]["name"] == "y" and info["output0"]["dtype"].split(",") == columns["y"]
    assert info["attr"]["list"].split(",") == GE_ATTRS
    for decl in OP["ge"]["attrs"]:
        entry = info[f"attr_{decl['name']}"]
        assert entry["paramType"] == ("required" if decl.get("required") else "optional")
        assert entry["type"] == {"list_int": "listInt", "int": "int", "string": "str"}[decl["type"]]
    assert info["kernelType"]["value"] == soc["kernel_type"]
    assert info["opFile"]["value"] == OP["ge"]["kernel_name"]


def test_opdef_source(stage):
    src = (stage / "op_host" / "quant_conv2d_custom_def.cpp").read_text()
    top = src[:src.index("OpAICoreConfig")]     # the op-wide declaration, before the per-SoC configs
    assert re.findall(r'this->Input\("(\w+)"\)', top) == GE_INPUTS
    assert re.findall(r'this->Attr\("(\w+)"\)', src) == GE_ATTRS
    for decl in OP["ge"]["attrs"]:
        kind = "REQUIRED" if decl.get("required") else "OPTIONAL"
        assert re.search(rf'this->Attr\("{decl["name"]}"\)\.AttrType\({kind}\)', src)
    assert re.findall(r'AddConfig\("(\w+)"', src) == SOC_NAMES
    blocks = re.split(r'AddConfig\("\w+", config\);', src)
    for soc, block in zip(SOCS["socs"], blocks):
        for name, dtypes in soc_columns(soc).items():
            m = re.search(rf'config\.(?:Input|Output)\("{name}"\)\s*\.ParamType\(\w+\)\s*\.DataType\(\{{([^}}]*)\}}\)',
                          block)
            assert m, (soc["name"], name)
            assert [d.strip() for d in m.group(1).split(",")] == [f"ge::{GE_DT[d]}" for d in dtypes]


def test_msopgen_op_json(stage):
    [op] = json.loads((stage / "op.json").read_text())
    assert op["op"] == "QuantConv2dCustom"
    assert [d["name"] for d in op["input_desc"]] == GE_INPUTS
    assert [d["param_type"] for d in op["input_desc"]] == ["required", "required", "required", "optional"]
    assert op["input_desc"][2]["type"] == ["int64", "float"] * 2        # msopgen's name of float32
    assert op["input_desc"][1]["format"] == ["NCHW", "NCHW", "FRACTAL_Z", "FRACTAL_Z"]  # a pre-packed filter too
    assert [d["name"] for d in op["output_desc"]] == ["y"] and op["output_desc"][0]["type"] == ["float16"] * 4
    assert [a["name"] for a in op["attr"]] == GE_ATTRS
    assert {a["name"]: a.get("default_value") for a in op["attr"]} == {
        "strides": None, "pads": None, "dilations": "1,1,1,1", "groups": "1", "data_format": "NCHW",
        "offset_x": "0", "round_mode": "rint", "dtype": "1"}


def test_npu_adapter_calls_aclnn_in_declaration_order():
    src = (ROOT / "framework" / "torch_npu" / "aclnn_quant_conv2d.cpp").read_text()
    typedef = re.search(r"using WorkspaceSizeFn = int \(\*\)\(([^;]*)\);", src).group(1)
    params = [re.match(r"\s*(.*?)\s*(\w+)$", p).groups() for p in typedef.split(",")]

    def camel(name):
        head, *rest = name.split("_")
        return head + "".join(w.title() for w in rest)
    c_type = {"list_int": "const aclIntArray*", "int": "int64_t", "string": "char*"}
    expected = [("const aclTensor*", camel(t["name"]) + ("Optional" if t["param_type"] == "optional" else ""))
                for t in OP["ge"]["inputs"]]
    expected += [(c_type[a["type"]], camel(a["name"])) for a in OP["ge"]["attrs"]]
    expected += [("const aclTensor*", t["name"]) for t in OP["ge"]["outputs"]]
    expected += [("uint64_t*", "workspaceSize"), ("aclOpExecutor**", "executor")]
    assert params == expected


def test_pkg_without_cann_says_what_is_missing(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable, "QCONV_BUILD_DIR": str(tmp_path)}
    env.pop("ASCEND_HOME_PATH", None)
    proc = subprocess.run([str(ROOT / "tools" / "pkg.sh")], env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "needs CANN: ASCEND_HOME_PATH is not set" in proc.stderr and "set_env.sh" in proc.stderr


# Stands in for CANN's msopgen: the skeleton a real `msopgen gen` writes (top-level CMakeLists.txt with
# project(), op_host/ and op_kernel/ with their CMakeLists.txt, build.sh). Its build.sh "builds" a .run
# and an installed-tree ops-info copied from the staged expectation, optionally with one dtype changed.
FAKE_MSOPGEN = r'''#!/usr/bin/env bash
printf '%s\n' "$@" > "$FAKE_LOG"
while [ $# -gt 0 ]; do case "$1" in -out) out=$2; shift 2;; *) shift;; esac; done
mkdir -p "$out/op_host" "$out/op_kernel" "$out/cmake"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(opp)\nadd_subdirectory(op_host)\n' > "$out/CMakeLists.txt"
echo '# msopgen op_host' > "$out/op_host/CMakeLists.txt"
echo '# msopgen op_kernel' > "$out/op_kernel/CMakeLists.txt"
echo 'int skeleton;' > "$out/op_host/quant_conv2d_custom.cpp"
cat > "$out/build.sh" <<'SH'
mkdir -p build_out/packages/vendors/qconv
cp -r ../stage/expected/op_impl build_out/packages/vendors/qconv/
[ -z "$FAKE_BREAK" ] || sed -i 's/"int64,float32,int64,float32"/"int64,int64,int64,float32"/' build_out/packages/vendors/qconv/op_impl/ai_core/tbe/config/ascend910b/*.json
echo run > build_out/custom_opp_ubuntu_x86_64.run
SH
'''


def run_pkg(tmp_path, broken=False):
    fake = tmp_path / "bin" / "msopgen"
    fake.parent.mkdir()
    fake.write_text(FAKE_MSOPGEN)
    fake.chmod(0o755)
    (tmp_path / "cann").mkdir()
    env = {**os.environ, "PYTHON": sys.executable, "QCONV_BUILD_DIR": str(tmp_path / "build"),
           "ASCEND_HOME_PATH": str(tmp_path / "cann"), "PATH": f"{fake.parent}:/usr/bin:/bin",
           "FAKE_LOG": str(tmp_path / "msopgen_args.txt")}
    if broken:
        env["FAKE_BREAK"] = "1"
    proc = subprocess.run([str(ROOT / "tools" / "pkg.sh"), "--out", str(tmp_path / "pkg")], env=env,
                          capture_output=True, text=True)
    return proc, tmp_path / "pkg" / "project"


def test_pkg_lays_the_kit_over_the_msopgen_project(tmp_path):
    proc, project = run_pkg(tmp_path)
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "msopgen_args.txt").read_text().split()
    assert args[:3] == ["gen", "-i", str(tmp_path / "pkg" / "stage" / "op.json")]
    assert args[3:5] == ["-c", "ai_core-" + SOCS["socs"][0]["variants"][0]["soc_version"]]
    assert (tmp_path / "pkg" / "custom_opp_ubuntu_x86_64.run").exists()
    assert not (project / "op_host" / "quant_conv2d_custom.cpp").exists()          # the skeleton's stub is gone
    assert (project / "op_host" / "quant_conv2d_custom_def.cpp").exists()
    assert (project / "op_kernel" / "quant_conv2d_custom.cpp").read_text() == \
        (ROOT / "op_kernel" / "quant_conv2d_custom.cpp").read_text()
    presets = json.loads((project / "CMakePresets.json").read_text())
    assert presets["configurePresets"][0]["cacheVariables"]["ASCEND_CANN_PACKAGE_PATH"]["value"] == \
        str(tmp_path / "cann")
    top = (project / "CMakeLists.txt").read_text().splitlines()
    assert top[1] == "project(opp)" and top[2] == f"include_directories({ROOT} {tmp_path / 'build' / 'generated' / 'include'} )"
    kernel_cmake = (project / "op_kernel" / "CMakeLists.txt").read_text()
    assert "include(${CMAKE_CURRENT_LIST_DIR}/compile_options.cmake)" in kernel_cmake
    assert "add_ops_compile_options" not in kernel_cmake      # every kernel option is in compile_options.cmake
    options = (project / "op_kernel" / "compile_options.cmake").read_text()
    assert options.count("add_ops_compile_options(ALL ") == 1     # a second ALL line would replace the first
    assert "bash " in proc.stdout and "--install-path=<dir>" in proc.stdout and "set_env.bash" in proc.stdout


def test_pkg_stops_when_the_built_ops_info_differs(tmp_path):
    proc, _ = run_pkg(tmp_path, broken=True)
    assert proc.returncode == 1
    assert "aic-ascend910b-ops-info.json QuantConv2dCustom.input2" in proc.stdout
    assert "the built ops-info differs from the generated one" in proc.stderr


def test_compile_options_name_concrete_socs_and_one_all_line(stage):
    """CANN 8.1's opdesc_parser maps concrete SoC versions only (ascend910b would mean the old Ascend910 ProB,
    ascend910_93 is a KeyError) and a later ALL line replaces an earlier one."""
    lines = [line for line in (stage / "op_kernel" / "compile_options.cmake").read_text().splitlines()
             if line.startswith("add_ops_compile_options(")]
    all_lines = [line for line in lines if line.startswith("add_ops_compile_options(ALL ")]
    assert len(all_lines) == 1
    per_soc = {}
    for line in lines[1:]:
        m = re.fullmatch(r"add_ops_compile_options\(QuantConv2dCustom COMPUTE_UNIT (.*) OPTIONS (.*)\)", line)
        assert m, line
        per_soc[tuple(m.group(1).split())] = m.group(2).split()
    shared = all_lines[0].split(" OPTIONS ")[1].rstrip(")").split()
    for soc in SOCS["socs"]:
        units = tuple(v["soc_version"] for v in soc["variants"])
        assert soc["name"] not in units
        assert sorted(shared + per_soc.get(units, [])) == sorted(soc["compile_options"])
