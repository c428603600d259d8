"""tools/gen_configs.py: deterministic rendering of configs/*.yaml into every generated artifact.

Every artifact names every SoC of socs.yaml; a SoC added to a copy of socs.yaml flows through to all of
them (and the C++ table compiles with it); the op's names from op.yaml appear identically in the OpDef
source, the ops-info JSON and the torch schema; the compiled SoC table holds socs.yaml's numbers.
"""
from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from qconv import host

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import gen_configs  # noqa: E402

SOCS_YAML = yaml.safe_load((ROOT / "configs" / "socs.yaml").read_text())
OP_YAML = yaml.safe_load((ROOT / "configs" / "op.yaml").read_text())


def render(config_dir: pathlib.Path, out: pathlib.Path) -> dict[str, bytes]:
    """{path relative to out: bytes} of one rendering."""
    py_out = out / "py"
    gen_configs.render_all(config_dir, ROOT / "templates", out / "build", py_out)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, bytes]:
    return render(ROOT / "configs", tmp_path_factory.mktemp("gen"))


def _ops_info_paths(files, soc):
    return [p for p in files if p.endswith(f"/{soc}/aic-{soc}-ops-info.json")]


def test_rendering_is_deterministic(rendered, tmp_path):
    again = render(ROOT / "configs", tmp_path)
    assert again == rendered
    # Every target of the generator produced something.
    assert len(rendered) >= len(gen_configs.TARGETS) + len(SOCS_YAML["socs"]) - 1


def test_every_json_parses(rendered):
    jsons = {p: b for p, b in rendered.items() if p.endswith(".json")}
    assert any(p.endswith("CMakePresets.json") for p in jsons)
    for path, data in jsons.items():
        json.loads(data)


def _soc_names(socs_yaml):
    return [s["name"] for s in socs_yaml["socs"]]


def check_every_artifact_names_every_soc(files: dict[str, bytes], socs_yaml: dict) -> None:
    text = {p: b.decode() for p, b in files.items()}
    table = next(t for p, t in text.items() if p.endswith("soc_table.h"))
    socs_py = next(t for p, t in text.items() if p.endswith("socs.py"))
    presets = json.loads(next(t for p, t in text.items() if p.endswith("CMakePresets.json")))
    op_def = next(t for p, t in text.items() if p.endswith("quant_conv2d_custom_def.cpp"))
    options = next(t for p, t in text.items() if p.endswith("compile_options.cmake"))
    units = presets["configurePresets"][0]["cacheVariables"]["ASCEND_COMPUTE_UNIT"]["value"].split(";")
    assert presets["configurePresets"][0]["cacheVariables"]["vendor_name"]["value"] == "qconv"
    assert units == _soc_names(socs_yaml)
    for soc in socs_yaml["socs"]:
        name = soc["name"]
        assert f's.name = "{name}";' in table, name
        assert f"'{name}': {{" in socs_py, name
        assert f'this->AICore().AddConfig("{name}", config);' in op_def, name
        # Each SoC's own options on one line naming its concrete variants; the shared ones on the ALL line.
        shared = [o for o in socs_yaml["socs"][0]["compile_options"]
                  if all(o in s["compile_options"] for s in socs_yaml["socs"])]
        own = [o for o in soc["compile_options"] if o not in shared]
        assert f"add_ops_compile_options(ALL OPTIONS {' '.join(shared)})" in options
        if own:
            variants = " ".join(v["soc_version"] for v in soc["variants"])
            assert f"COMPUTE_UNIT {variants} OPTIONS {' '.join(own)})" in options, name
        paths = _ops_info_paths(text, name)
        assert len(paths) == 1, (name, paths)
        info = json.loads(text[paths[0]])
        assert info[OP_YAML["ge"]["op_type"]]["kernelType"]["value"] == soc["kernel_type"]


def test_every_soc_appears_in_every_artifact(rendered):
    check_every_artifact_names_every_soc(rendered, SOCS_YAML)


def _compile_table(include_dir: pathlib.Path, tmp_path: pathlib.Path, body: str) -> str:
    src = tmp_path / "table_check.cpp"
    src.write_text('#include <qconv_generated/soc_table.h>\n#include <cstdio>\nint main() {\n' + body + "}\n")
    exe = tmp_path / "table_check"
    subprocess.run(["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", f"-I{ROOT}", f"-I{include_dir}",
                    str(src), "-o", str(exe)], check=True, capture_output=True, text=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def test_new_soc_flows_through_to_every_output(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", configs)
    socs = yaml.safe_load((configs / "socs.yaml").read_text())
    new = json.loads(json.dumps(socs["socs"][0]))
    new.update(name="ascend910_test", cube_cores=13, clock_mhz=1234, op_combinations=[0],
               compile_options=["-O3", "-DQCONV_TEST_SOC=1"], kernel_type="KERNEL_TYPE_MIX_AIC_1_2")
    new["buffers"]["ub"]["reserved"] = 1024
    socs["socs"].append(new)
    (configs / "socs.yaml").write_text(yaml.safe_dump(socs, sort_keys=False))
    files = render(configs, tmp_path / "out")
    check_every_artifact_names_every_soc(files, socs)

    # The per-SoC dtype table follows op_combinations: only combination 0 (int64 scale) for the new SoC.
    info = json.loads(files[_ops_info_paths(files, "ascend910_test")[0]])[OP_YAML["ge"]["op_type"]]
    scale_index = [i["name"] for i in OP_YAML["ge"]["inputs"]].index("scale")
    assert info[f"input{scale_index}"]["dtype"] == "int64"
    op_def = files["build/package/op_host/quant_conv2d_custom_def.cpp"].decode()
    block = op_def.split('// ascend910_test:')[1].split("AddConfig")[0]
    assert "ge::DT_FLOAT}" not in block and ".DataType({ge::DT_INT64})" in block

    # The C++ table compiles and holds the new numbers (usable UB = bytes - reserved).
    out = _compile_table(tmp_path / "out" / "build" / "include", tmp_path,
                         'const qconv::SocSpec* s = qconv::soc_table::Find("ascend910_test");\n'
                         'std::printf("%zu %u %llu %.3f\\n", qconv::soc_table::kSocCount, s->cube_cores,\n'
                         '            (unsigned long long)s->ub_bytes, s->clock_ghz);\n')
    assert out.split() == [str(len(socs["socs"])), "13", str(new["buffers"]["ub"]["bytes"] - 1024), "1.234"]

    # The Python socs module too.
    spec = importlib.util.spec_from_file_location("socs_copy", tmp_path / "out" / "py" / "socs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SOCS["ascend910_test"]["cube_cores"] == 13
    assert module.NAMES[-1] == "ascend910_test"


def test_op_names_identical_in_opdef_ops_info_and_torch_schema(rendered):
    ge = OP_YAML["ge"]
    op_def = rendered["build/package/op_host/quant_conv2d_custom_def.cpp"].decode()
    # Inputs, then outputs, in kernel-argument order; attributes in REG_OP order.
    declared = re.findall(r'this->(Input|Output)\("(\w+)"\)', op_def)
    assert [n for k, n in declared if k == "Input"] == [i["name"] for i in ge["inputs"]]
    assert [n for k, n in declared if k == "Output"] == [o["name"] for o in ge["outputs"]]
    assert re.findall(r'this->Attr\("(\w+)"\)', op_def) == [a["name"] for a in ge["attrs"]]
    assert f"class {ge['op_type']} : public OpDef" in op_def and f"OP_ADD({ge['op_type']});" in op_def
    for soc in _soc_names(SOCS_YAML):
        info = json.loads(rendered[_ops_info_paths(rendered, soc)[0]])[ge["op_type"]]
        assert [info[f"input{i}"]["name"] for i in range(len(ge["inputs"]))] == [i["name"] for i in ge["inputs"]]
        assert [info[f"output{i}"]["name"] for i in range(len(ge["outputs"]))] == [o["name"] for o in ge["outputs"]]
        assert info["attr"]["list"].split(",") == [a["name"] for a in ge["attrs"]]
        assert info["opFile"]["value"] == ge["kernel_name"]
        for i, spec in enumerate(ge["inputs"]):
            assert info[f"input{i}"]["paramType"] == spec["param_type"]
            assert info[f"input{i}"]["dtype"].split(",") == spec["dtypes"]
    # The torch schema (rendered op_decl) names every torch argument the GE side maps from.
    spec = importlib.util.spec_from_file_location("op_decl_copy", ROOT / "python/qconv/_generated/op_decl.py")
    decl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(decl)
    schema_args = re.findall(r"(?:Tensor\??|int\[2\]|int|str|ScalarType\?) (\w+)", decl.SCHEMA)
    assert schema_args == [a["name"] for a in OP_YAML["torch"]["args"]]
    for i in ge["inputs"]:
        assert i["torch_arg"] in schema_args
    for a in ge["attrs"]:
        if "from" in a:
            assert a["from"] in schema_args
    assert decl.GE_OP_TYPE == ge["op_type"]


def test_compiled_table_holds_the_yaml_numbers():
    """The SoC table inside the built _host module is the rendering of socs.yaml (usable = bytes - reserved)."""
    compiled = {s["name"]: s for s in host.socs()}
    assert list(compiled) == _soc_names(SOCS_YAML)
    for soc in SOCS_YAML["socs"]:
        c, b = compiled[soc["name"]], soc["buffers"]
        for level in ("l1", "l0a", "l0b", "l0c", "ub", "bias_table", "fixpipe_buffer"):
            assert c[f"{level}_bytes"] == b[level]["bytes"] - b[level]["reserved"], (soc["name"], level)
        assert c["cube_cores"] == soc["cube_cores"] and c["npu_arch"] == soc["npu_arch"]
        assert (c["m0"], c["k0"], c["n0"]) == tuple(SOCS_YAML["common"]["int8_fractal"][k] for k in ("m0", "k0", "n0"))
        assert c["clock_ghz"] == pytest.approx(soc["clock_mhz"] / 1000)
        assert c["output_width_one_supported"] == soc["output_width_one_supported"]
        assert c["topology"] == soc["topology"]


def test_every_soc_number_cites_a_source():
    """Each numeric fact of a SoC carries a source tag defined in the file's header ([INI], [ARCH], ...);
    the variants list is cited once on its `variants:` line."""
    text = (ROOT / "configs/socs.yaml").read_text()
    tags = set(re.findall(r"^#\s+\[(\w+)\]", text, re.M))
    lines = text.splitlines()
    in_variants = False
    checked = 0
    for line in lines[lines.index("socs:"):]:
        stripped = line.strip()
        if stripped.startswith("variants:") or stripped.startswith("- name:"):
            in_variants = stripped.startswith("variants:")
            if in_variants:
                assert set(re.findall(r"\[(\w+)\]", line)) & tags, line
            continue
        value = stripped.split("#")[0]
        if in_variants or not re.search(r"\w+:\s*-?\d+(\.\d+)?\s*($|[,}])", value) or value.startswith("op_combinations"):
            continue
        cited = set(re.findall(r"\[(\w+)\]", line))
        assert cited and cited <= tags, f"no known source on: {line}"
        checked += 1
    assert checked >= 15 * len(SOCS_YAML["socs"])


def test_default_soc_is_rendered_and_must_name_a_soc(tmp_path, rendered):
    default = yaml.safe_load((ROOT / "configs/socs.yaml").read_text())["default_soc"]
    assert f"DEFAULT = {default!r}" in rendered["py/socs.py"].decode()
    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", configs)
    socs = yaml.safe_load((configs / "socs.yaml").read_text())
    socs["default_soc"] = "ascend999"
    (configs / "socs.yaml").write_text(yaml.safe_dump(socs, sort_keys=False))
    with pytest.raises(ValueError, match="default_soc = 'ascend999' is not supported; allowed: ascend910b"):
        render(configs, tmp_path / "out")
