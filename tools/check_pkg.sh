#!/usr/bin/env bash
# ./build.sh check-pkg [CANN dir]
#
# The op package build of ./build.sh pkg, run as far as it can go without an NPU host: CANN 8.1's real
# msopgen and the real op project template (its CMakeLists, cmake/*.cmake and cmake/util/*.py) from a CANN
# tree (an install or the extracted CANN 8.1.RC1 dump), through
#   1. msopgen gen on the kit's op.json, and tools/pkg.sh laying the kit over that project,
#   2. CMake configure with the generated presets (opbuild compiles every op_host source),
#   3. the op_host libraries cust_op_proto and cust_optiling,
#   4. per SoC of the presets: ops-info, the impl .py and the binary-compile parameters (ascendc_compile_kernel.py),
#      stopping at the first call of the Ascend compiler (opc), which needs the aarch64/x86 toolchain of an install;
# then the tiling-struct step of the kernel compile (tbe/tikcpp, see tools/cann_tiling_macro.py).
#
# Stand-ins, only where the tree has nothing runnable on this machine:
#   lib64/        empty x86 libraries (exe_graph, register, tiling_api, nnopbase, ascendcl, rt2_registry) when the
#                 tree has no x86_64 libraries: the shared libraries link with their symbols unresolved
#   op_build      (toolkit/tools/opbuild/op_build, an aarch64 binary that reads the OpDef registry out of
#                 libascend_all_ops.so) writes aic-<soc>-ops-info.ini from the kit's generated ops-info JSON,
#                 after checking that the library opbuild() built registers the op; aclnn/op_proto sources empty
#   opc           records its command line and stops the SoC's build there
#
# Output: <build>/check_pkg/ (project, logs). Exit 0 when every SoC reached the compiler step.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
BUILD=${QCONV_BUILD_DIR:-$ROOT/build}
CANN=${1:-${ASCEND_HOME_PATH:-}}
say() { printf '[check-pkg] %s\n' "$*"; }
die() { printf '[check-pkg] error: %s\n' "$*" >&2; exit 1; }

[ -n "$CANN" ] || { say "skipped: no CANN tree. Pass a CANN 8.1 install or the extracted CANN 8.1.RC1 dump."; exit 0; }
[ -d "$CANN" ] || die "'$CANN' is not a directory"
msopgen_py=$(find -L "$CANN" -path '*python/site-packages/op_gen/msopgen.py' -print -quit 2>/dev/null || true)
[ -n "$msopgen_py" ] || die "'$CANN' holds no python/site-packages/op_gen (CANN's msopgen)"
TOOLKIT=${msopgen_py%/python/site-packages/op_gen/msopgen.py}
SITE=$TOOLKIT/python/site-packages
[ -d "$TOOLKIT/tools/op_project_templates/ascendc/customize" ] \
  || die "$TOOLKIT has no tools/op_project_templates/ascendc/customize (the op project template)"
command -v cmake >/dev/null || die "cmake is needed"
OP_TYPE=$("$PYTHON" -c 'from qconv._generated.op_decl import GE_OP_TYPE; print(GE_OP_TYPE)')
mapfile -t UNITS < <("$PYTHON" -c 'from qconv._generated.socs import SOCS; print("\n".join(SOCS))')

WORK=$BUILD/check_pkg
rm -rf "$WORK"
mkdir -p "$WORK/bin" "$WORK/cann" "$WORK/opc_calls"
say "CANN toolkit: $TOOLKIT"
say "work dir: $WORK"

# --- the toolkit as an install lays it out (include/, lib64/ at the top), stand-ins where noted -------------
VIEW=$WORK/cann
arch_dir=$TOOLKIT/$(uname -m)-linux
for entry in "$TOOLKIT"/*; do
  case "$(basename "$entry")" in toolkit|include|lib64) ;; *) ln -s "$entry" "$VIEW/" ;; esac
done
include=$TOOLKIT/include
[ -d "$include" ] || include=$(ls -d "$TOOLKIT"/*-linux/include 2>/dev/null | head -1)
[ -d "$include/register" ] || die "$TOOLKIT has no include/register (CANN's OpDef headers)"
# An install's include/ also links tiling/ and kernel_tiling/ from ascendc/include/highlevel_api (the dump lost
# its symlinks; its own listing Ascend_8.1.RC1_tree_L5.txt records them): op_host includes tiling/platform.
mkdir -p "$VIEW/include"
for entry in "$include"/*; do ln -s "$entry" "$VIEW/include/"; done
for sub in tiling kernel_tiling; do
  [ -e "$VIEW/include/$sub" ] || ln -s "$(dirname "$include")/ascendc/include/highlevel_api/$sub" "$VIEW/include/$sub"
done
CANN_LIBS=(exe_graph register tiling_api nnopbase ascendcl)
if [ -f "$arch_dir/lib64/libregister.so" ]; then
  ln -s "$arch_dir/lib64" "$VIEW/lib64"
  say "libraries: $arch_dir/lib64"
else
  mkdir -p "$VIEW/lib64"
  echo 'void qconv_check_pkg_stand_in(void) {}' > "$WORK/stand_in.c"
  for lib in "${CANN_LIBS[@]}"; do gcc -shared -fPIC -o "$VIEW/lib64/lib$lib.so" "$WORK/stand_in.c"; done
  gcc -c -fPIC -o "$WORK/stand_in.o" "$WORK/stand_in.c" && ar rcs "$VIEW/lib64/librt2_registry.a" "$WORK/stand_in.o"
  say "libraries: stand-ins (no $(uname -m) libraries in $TOOLKIT): ${CANN_LIBS[*]} rt2_registry"
fi
# toolkit/ with the stand-in op_build
mkdir -p "$VIEW/toolkit/tools/opbuild"
for entry in "$TOOLKIT"/toolkit/*; do [ "$(basename "$entry")" = tools ] || ln -s "$entry" "$VIEW/toolkit/"; done
for entry in "$TOOLKIT"/toolkit/tools/*; do [ "$(basename "$entry")" = opbuild ] || ln -s "$entry" "$VIEW/toolkit/tools/"; done
cat > "$VIEW/toolkit/tools/opbuild/op_build" <<SH
#!/usr/bin/env bash
# check-pkg's stand-in for CANN's op_build (aarch64): see tools/check_pkg.sh.
exec "$PYTHON" "$ROOT/tools/check_pkg_opbuild.py" --op-type "$OP_TYPE" --expected "$WORK/pkg/stage/expected" "\$@"
SH
chmod +x "$VIEW/toolkit/tools/opbuild/op_build"

# msopgen from the tree (its launcher names the toolkit's own python3.10), and the stand-in opc
cat > "$WORK/bin/msopgen" <<SH
#!/usr/bin/env bash
PYTHONPATH="$SITE\${PYTHONPATH:+:\$PYTHONPATH}" exec "$PYTHON" "$SITE/bin/msopgen" "\$@"
SH
cat > "$WORK/bin/opc" <<SH
#!/usr/bin/env bash
# check-pkg's stand-in for the Ascend compiler driver: record the call, stop the build here.
printf '%s\\n' "opc \$*" > "$WORK/opc_calls/\$(date +%s%N)"
echo "[check-pkg] stand-in opc: the Ascend compiler step is reached (opc \$*)" >&2
exit 3
SH
chmod +x "$WORK/bin/msopgen" "$WORK/bin/opc"
export ASCEND_HOME_PATH=$VIEW ASCEND_OPP_PATH=$VIEW/opp PATH=$WORK/bin:$PATH PYTHON

# --- 1. msopgen + the kit's files ------------------------------------------------------------------------
say "1. msopgen gen + tools/pkg.sh --project-only"
"$ROOT/tools/pkg.sh" --project-only --out "$WORK/pkg" > "$WORK/pkg.log" 2>&1 || { cat "$WORK/pkg.log" >&2; die "step 1 failed"; }
PROJECT=$WORK/pkg/project
say "   OK: $PROJECT (msopgen log: $WORK/pkg/msopgen.log)"

# --- 2. configure (opbuild) -------------------------------------------------------------------------------
say "2. cmake --preset=default (opbuild compiles op_host at configure time)"
(cd "$PROJECT" && cmake -S . -B build_out --preset=default -DASCEND_PYTHON_EXECUTABLE="$PYTHON") > "$WORK/configure.log" 2>&1 \
  || { tail -40 "$WORK/configure.log" >&2; die "step 2 failed (log: $WORK/configure.log)"; }
say "   OK (log: $WORK/configure.log)"

# --- 3. op_host libraries --------------------------------------------------------------------------------
say "3. cust_op_proto, cust_optiling"
cmake --build "$PROJECT/build_out" --target cust_op_proto cust_optiling -j "${QCONV_JOBS:-2}" > "$WORK/op_host.log" 2>&1 \
  || { grep -m20 -E 'error|Error' "$WORK/op_host.log" >&2; die "step 3 failed (log: $WORK/op_host.log)"; }
say "   OK: $(cd "$PROJECT/build_out" && find . -name 'libcust_op*.so' | sort | tr '\n' ' ')"

# --- 4. per SoC: impl + binary parameters, up to the compiler ----------------------------------------------
status=0
for unit in "${UNITS[@]}"; do
  say "4. $unit: ${OP_TYPE}_$unit (ascendc_compile_kernel.py)"
  rm -f "$WORK"/opc_calls/*
  log=$WORK/kernel_$unit.log
  if cmake --build "$PROJECT/build_out" --target "${OP_TYPE}_$unit" > "$log" 2>&1; then
    say "   $unit: FAILED: the build passed the compiler step, which the stand-in opc stops"; status=1; continue
  fi
  call=$(cat "$WORK"/opc_calls/* 2>/dev/null | head -1 || true)
  workdir=$(find "$PROJECT/build_out" -type d -name "${OP_TYPE}_$unit" | head -1)
  impl=$(find "$workdir" -path '*dynamic/*.py' 2>/dev/null | head -1)
  params=$(find "$workdir" -path '*bin_param/*.json' 2>/dev/null | wc -l)
  if [ -z "$call" ] || [ -z "$impl" ] || [ "$params" -eq 0 ]; then
    grep -m20 -E 'rror|Traceback|KeyError' "$log" >&2 || tail -20 "$log" >&2
    say "   $unit: FAILED before the compiler step (log: $log)"; status=1; continue
  fi
  say "   OK: impl $(basename "$impl"), $params binary parameter file(s), ops-info $(find "$PROJECT/build_out" -name "aic-$unit-ops-info.json" | head -1 | sed "s|$PROJECT/||")"
  say "   stops at the Ascend compiler (an NPU host's toolkit runs it): ${call:0:400}"
done

# --- the tiling-struct step of the kernel compile (tbe/tikcpp, run by opc) ----------------------------------
say "5. tbe/tikcpp's tiling-struct step on the kernel (QCONV_CHECK_HEADERS: the kernel against the real headers)"
QCONV_CANN_HEADERS=$TOOLKIT "$ROOT/tools/check_headers.sh" > "$WORK/check_headers.log" 2>&1 || status=1
sed 's/^\[check-headers\]/   /' "$WORK/check_headers.log"

[ $status -eq 0 ] && say "every SoC (${UNITS[*]}) reached the Ascend compiler step with no error of the kit's" \
  || say "FAILED (logs in $WORK)"
exit $status
