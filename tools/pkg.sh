#!/usr/bin/env bash
# ./build.sh pkg: the QuantConv2dCustom op package (custom_opp_<os>_<arch>.run, vendor qconv) with CANN.
#
#   tools/pkg.sh [--soc-version <SoC>] [--out <dir>]   build the package (needs CANN: ASCEND_HOME_PATH, msopgen)
#   tools/pkg.sh --stage <dir>                         only write the kit's part of the project (no CANN needed)
#   tools/pkg.sh --project-only [--out <dir>]          stop once the project is laid out (tools/check_pkg.sh)
#
# The project is msopgen's skeleton for this CANN version (its cmake/ scripts and build.sh belong to
# the toolkit) with the kit's files laid over it:
#   op.json                 msopgen's op description, from configs/op.yaml (qconv._generated.op_decl)
#   CMakePresets.json       generated from configs/socs.yaml: ASCEND_COMPUTE_UNIT, vendor_name qconv
#   op_host/                the generated OpDef and the host core (checks, InferShape, tiling) with its
#                           CANN adapters, flattened as msopgen's CMake globs op_host/*.cpp
#   op_kernel/              the kernel source and headers plus the generated per-SoC compile options
#   expected/               the generated aic-<soc>-ops-info.json, compared with the built package's
# and two edits of the template's build files (the template is CANN 8.1.RC1's
# tools/op_project_templates/ascendc/customize), each checked to apply exactly:
#   -std=c++11 -> -std=c++17   in opbuild() (cmake/func.cmake) and intf_pub (cmake/intf.cmake): the host core
#                              is C++17, one source with the twin and the tests; libstdc++'s ABI does not
#                              change with -std (_GLIBCXX_USE_CXX11_ABI=0 stays), so it links with CANN's libraries
#   opbuild()'s include dirs   opbuild compiles op_host at configure time with only the CANN and op_kernel
#                              dirs; the kit root and the generated headers are added there and, by
#                              include_directories(), to the op_host targets
# Environment: PYTHON (the kit's venv python), QCONV_BUILD_DIR (default build).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
BUILD=${QCONV_BUILD_DIR:-$ROOT/build}
say() { printf '[pkg] %s\n' "$*"; }
die() { printf '[pkg] error: %s\n' "$*" >&2; exit 1; }

STAGE_ONLY="" PROJECT_ONLY="" SOC_VERSION="" OUT=$BUILD/pkg
while [ $# -gt 0 ]; do
  case "$1" in
    --stage) STAGE_ONLY=${2:?--stage needs a directory}; shift 2 ;;
    --soc-version) SOC_VERSION=${2:?--soc-version needs a value, e.g. Ascend910B2}; shift 2 ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --project-only) PROJECT_ONLY=1; shift ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see tools/pkg.sh --help)" ;;
  esac
done

stage() {  # stage <dir>: the kit's files of the project
  local dir=$1 gen=$BUILD/generated
  "$PYTHON" "$ROOT/tools/gen_configs.py" --out "$gen" > /dev/null
  rm -rf "$dir"
  mkdir -p "$dir/op_host" "$dir/op_kernel" "$dir/expected"
  "$PYTHON" - "$dir/op.json" <<'PY'
import json, sys
from qconv._generated import op_decl
# msopgen spells float32 "float"; attribute types and defaults as its op.json documents them.
dtype = {"float32": "float"}
attr_type = {"list_int": "list_int", "int": "int", "string": "string"}
def attr(a):
    d = {"name": a["name"], "param_type": "required" if a.get("required") else "optional", "type": attr_type[a["type"]]}
    if "default" in a:
        d["default_value"] = ",".join(map(str, a["default"])) if isinstance(a["default"], list) else str(a["default"])
    return d
def desc(t):
    n = len(t["dtypes"])
    fmt = t["format"] if isinstance(t["format"], list) else [t["format"]] * n
    return {"name": t["name"], "param_type": t["param_type"], "format": fmt,
            "type": [dtype.get(x, x) for x in t["dtypes"]]}
op = {"op": op_decl.GE_OP_TYPE, "language": "cpp", "input_desc": [desc(t) for t in op_decl.GE_INPUTS],
      "output_desc": [desc(t) for t in op_decl.GE_OUTPUTS], "attr": [attr(a) for a in op_decl.GE_ATTRS]}
json.dump([op], open(sys.argv[1], "w"), indent=2)
PY
  "$PYTHON" - "$gen/package/CMakePresets.json" "$dir/CMakePresets.json" "${ASCEND_HOME_PATH:-}" <<'PY'
import json, sys
presets = json.load(open(sys.argv[1]))
if sys.argv[3]:   # the toolkit in use, not socs.yaml's default install path
    presets["configurePresets"][0]["cacheVariables"]["ASCEND_CANN_PACKAGE_PATH"]["value"] = sys.argv[3]
json.dump(presets, open(sys.argv[2], "w"), indent=4)
PY
  cp "$gen/package/op_host/"*.cpp "$dir/op_host/"
  local src
  for src in "$ROOT"/op_host/core/*.cpp "$ROOT"/op_host/tiling/*.cpp "$ROOT"/op_host/cann/*.cpp; do
    [ -e "$src" ] && cp "$src" "$dir/op_host/"
  done
  cp "$ROOT"/op_kernel/*.cpp "$ROOT"/op_kernel/*.h "$dir/op_kernel/"
  cp "$gen/package/op_kernel/compile_options.cmake" "$dir/op_kernel/"
  cp -r "$gen/package/op_impl" "$dir/expected/"
  # include paths of the flattened host sources: the kit root and the generated headers
  printf '%s\n' "$ROOT" "$gen/include" > "$dir/include_dirs.txt"
}

if [ -n "$STAGE_ONLY" ]; then
  stage "$STAGE_ONLY"
  say "staged the kit's part of the op package project in $STAGE_ONLY"
  exit 0
fi

[ -n "${ASCEND_HOME_PATH:-}" ] || die "the op package needs CANN: ASCEND_HOME_PATH is not set. Install the CANN \
toolkit and run 'source <cann>/set_env.sh' (e.g. /usr/local/Ascend/ascend-toolkit/set_env.sh), then ./build.sh pkg again."
[ -d "$ASCEND_HOME_PATH" ] || die "ASCEND_HOME_PATH=$ASCEND_HOME_PATH is not a directory"
MSOPGEN=$(command -v msopgen || true)
[ -n "$MSOPGEN" ] || [ ! -x "$ASCEND_HOME_PATH/python/site-packages/bin/msopgen" ] \
  || MSOPGEN=$ASCEND_HOME_PATH/python/site-packages/bin/msopgen
[ -n "$MSOPGEN" ] || die "msopgen (CANN's op project generator) is not on PATH nor in $ASCEND_HOME_PATH/python/site-packages/bin"
if [ -z "$SOC_VERSION" ]; then   # msopgen needs one concrete SoC; the presets list every compute unit
  SOC_VERSION=$("$PYTHON" -c 'from qconv._generated.socs import SOCS; print(next(iter(SOCS.values()))["variants"][0]["soc_version"])' 2>/dev/null \
    || echo Ascend910B2)
fi

PROJECT=$OUT/project
say "staging the kit's files"
stage "$OUT/stage"
say "generating the msopgen project for ai_core-$SOC_VERSION"
rm -rf "$PROJECT"
"$MSOPGEN" gen -i "$OUT/stage/op.json" -c "ai_core-$SOC_VERSION" -lan cpp -out "$PROJECT" > "$OUT/msopgen.log" 2>&1 \
  || die "msopgen failed (see $OUT/msopgen.log)"
rm -f "$PROJECT"/op_host/*.cpp "$PROJECT"/op_host/*.h "$PROJECT"/op_kernel/*.cpp "$PROJECT"/op_kernel/*.h
cp "$OUT/stage/CMakePresets.json" "$PROJECT/"
cp "$OUT/stage/op_host/"* "$PROJECT/op_host/"
cp "$OUT/stage/op_kernel/"* "$PROJECT/op_kernel/"
# The kernel needs no include dir beyond its own; compile_options.cmake holds every kernel option.
echo "include(\${CMAKE_CURRENT_LIST_DIR}/compile_options.cmake)" >> "$PROJECT/op_kernel/CMakeLists.txt"
sed -i "0,/^project(.*)/s||&\ninclude_directories($(tr '\n' ' ' < "$OUT/stage/include_dirs.txt"))|" "$PROJECT/CMakeLists.txt"
patch_template() {  # patch_template <file> <sed expression> <what>: the edit must change exactly one line
  local before after
  before=$(sha256sum < "$1")
  sed -i "$2" "$1"
  after=$(sha256sum < "$1")
  [ "$before" != "$after" ] || die "$(basename "$1") of this CANN's op project template has no $3 to adjust: \
tools/pkg.sh knows CANN 8.1's template (see its header)"
}
if [ -f "$PROJECT/cmake/func.cmake" ]; then   # the template's opbuild(); absent only from stand-in projects
  patch_template "$PROJECT/cmake/func.cmake" 's/ -shared -std=c++11 / -shared -std=c++17 /' "opbuild() -std=c++11"
  opbuild_includes=$(sed 's/^/-I /' "$OUT/stage/include_dirs.txt" | tr '\n' ' ')
  patch_template "$PROJECT/cmake/func.cmake" \
    "s|-I \${CMAKE_CURRENT_SOURCE_DIR}/../op_kernel$|& $opbuild_includes|" "opbuild() include line"
  patch_template "$PROJECT/cmake/intf.cmake" 's/:-std=c++11>/:-std=c++17>/' "intf_pub -std=c++11"
  # (cmake/device_task.cmake's -std=c++11 builds the device-side tiling sink, which this op does not use)
  ! grep -n -- '-std=c++11' "$PROJECT/CMakeLists.txt" "$PROJECT/cmake/func.cmake" "$PROJECT/cmake/intf.cmake" \
    || die "the op project template sets -std=c++11 in more places than tools/pkg.sh adjusts (listed above)"
fi
if [ -n "$PROJECT_ONLY" ]; then
  say "laid the kit over the msopgen project in $PROJECT"
  exit 0
fi

say "building (log: $OUT/build.log)"
(cd "$PROJECT" && bash build.sh) > "$OUT/build.log" 2>&1 || die "the op package build failed (see $OUT/build.log)"
RUN=$(ls "$PROJECT"/build_out/custom_opp_*.run 2>/dev/null | head -1)
[ -n "$RUN" ] || die "the build finished without a custom_opp_*.run in $PROJECT/build_out (see $OUT/build.log)"
cp "$RUN" "$OUT/"

# The package's ops-info must be what configs/ declare (CANN derives it from the OpDef at build time).
"$PYTHON" - "$PROJECT/build_out" "$OUT/stage/expected" <<'PY' || die "the built ops-info differs from the generated one"
import json, pathlib, sys
built, expected = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
bad = []
for exp in expected.rglob("aic-*-ops-info.json"):
    found = list(built.rglob(exp.name))
    if not found:
        bad.append(f"{exp.name} is missing from the package"); continue
    e, b = json.load(open(exp)), json.load(open(found[0]))
    for op, fields in e.items():
        for key in [k for k in fields if k.startswith(("input", "output", "attr"))]:
            if b.get(op, {}).get(key) != fields[key]:
                bad.append(f"{exp.name} {op}.{key}: built {b.get(op, {}).get(key)} != generated {fields[key]}")
print("\n".join(bad)); sys.exit(1 if bad else 0)
PY
say "built $OUT/$(basename "$RUN")"
cat <<MSG
[pkg] install:  bash $OUT/$(basename "$RUN")                       (into \$ASCEND_OPP_PATH/vendors/qconv)
[pkg]      or:  bash $OUT/$(basename "$RUN") --install-path=<dir> && source <dir>/vendors/qconv/bin/set_env.bash
[pkg] verify:   python -c "import torch, torch_npu, qconv, qconv.npu; print(qconv.npu.status())"
MSG
