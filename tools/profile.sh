#!/usr/bin/env bash
# ./build.sh profile: QuantConv2d shapes on an NPU under msprof op, summarised per shape.
#
#   tools/profile.sh [--kernel-name <pattern>] [--launch-count <n>] [--warm-up <n>] [--output <dir>]
#                    [--cases <a,b>] [--repeats <n>] [-- <extra msprof op options>]
#
#   --kernel-name   kernels to profile (default: QuantConv2dCustom*: msopgen-built kernels are named after
#                   the op type, <OpType>_<hash>_<n>, and msprof matches case-sensitively)
#   --launch-count  launches to collect (default: repeats x number of shapes, i.e. all of them)
#   --warm-up       msprof op's warm-up runs before each collected launch (default 5)
#   --output        msprof op output directory (default: <build>/profile/<UTC time>)
#   --cases         shapes of qconv.cases.PROFILE_CASES (default: all); --repeats launches per shape
#
# Runs bench/profile_cases.py under `msopprof` (CANN 9) or `msprof op` (CANN 8), then
# `qconv-kit profile --backend npu --dir <output>`. Needs CANN, torch_npu, an NPU and the installed
# op package. `qconv-kit profile --backend sim` prints the same columns for the CPU twin.
# Environment: PYTHON (the kit's venv python), QCONV_BUILD_DIR (default build), MSPROF (profiler command).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
BUILD=${QCONV_BUILD_DIR:-$ROOT/build}
die() { printf '[profile] error: %s\n' "$*" >&2; exit 1; }

KERNEL_NAME="" LAUNCH_COUNT="" WARM_UP=5 OUTPUT="" CASES="" REPEATS=1 EXTRA=()
positive() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || die "$1 = $2 is out of the allowed range [$3, inf)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel-name) KERNEL_NAME=${2:?--kernel-name needs a value}; shift 2 ;;
    --launch-count) positive --launch-count "${2:?--launch-count needs a value}" 1; LAUNCH_COUNT=$2; shift 2 ;;
    --warm-up) positive --warm-up "${2:?--warm-up needs a value}" 0; WARM_UP=$2; shift 2 ;;
    --output) OUTPUT=${2:?--output needs a directory}; shift 2 ;;
    --cases) CASES=${2:?--cases needs a value}; shift 2 ;;
    --repeats) positive --repeats "${2:?--repeats needs a value}" 1; REPEATS=$2; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see tools/profile.sh --help)" ;;
  esac
done

if [ -n "${MSPROF:-}" ]; then
  read -r -a PROFILER <<< "$MSPROF"
elif command -v msopprof > /dev/null; then
  PROFILER=(msopprof)
elif command -v msprof > /dev/null; then
  PROFILER=(msprof op)
else
  die "neither msopprof nor msprof is on PATH: profiling needs CANN on an NPU machine ('source <cann>/set_env.sh'). \
Without an NPU, 'qconv-kit profile --backend sim' summarises the CPU twin's pipes."
fi

[ -n "$KERNEL_NAME" ] || KERNEL_NAME="$("$PYTHON" -c 'from qconv._generated.op_decl import GE_OP_TYPE; print(GE_OP_TYPE)')*"
N_CASES=$("$PYTHON" -c 'import sys; from qconv import profiling; print(len(profiling.find_cases(sys.argv[1] or None)))' "$CASES") \
  || die "--cases = $CASES is not valid (see qconv-kit profile --help for the names)"
[ -n "$LAUNCH_COUNT" ] || LAUNCH_COUNT=$((N_CASES * REPEATS))
[ -n "$OUTPUT" ] || OUTPUT=$BUILD/profile/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUTPUT"

APP=("$PYTHON" "$ROOT/bench/profile_cases.py" --output "$OUTPUT" --repeats "$REPEATS")
[ -z "$CASES" ] || APP+=(--cases "$CASES")
printf '[profile] %s\n' "${PROFILER[*]} --kernel-name=$KERNEL_NAME --launch-count=$LAUNCH_COUNT --warm-up=$WARM_UP --output=$OUTPUT ${EXTRA[*]:-}${EXTRA:+ }${APP[*]}"
"${PROFILER[@]}" --kernel-name="$KERNEL_NAME" --launch-count="$LAUNCH_COUNT" --warm-up="$WARM_UP" \
  --output="$OUTPUT" ${EXTRA[@]+"${EXTRA[@]}"} "${APP[@]}" || die "the profiler failed (output in $OUTPUT)"
exec "$PYTHON" -m qconv.cli profile --backend npu --dir "$OUTPUT"
