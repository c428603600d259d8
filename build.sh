#!/usr/bin/env bash
# qconv-kit: the one entry point.
#
#   ./build.sh run   [args]  set up, build, run the kit's main job (qconv-kit run [args])
#   ./build.sh test  [args]  set up, build (plus the ASan+UBSan tree), run every test (pytest [args])
#   ./build.sh build         set up and build only
#   ./build.sh pkg           build the op package (.run) with CANN (needs ASCEND_HOME_PATH)
#   ./build.sh profile ...   profile on an NPU with msprof (tools/profile.sh)
#   ./build.sh check-headers [CANN dir]  g++ -fsyntax-only of op_kernel against real CANN headers
#   ./build.sh check-pkg [CANN dir]      the op package build with CANN 8.1's msopgen and template, up to the compiler
#
# Environment: QCONV_VENV (default .venv), QCONV_BUILD_DIR (default build), QCONV_JOBS (default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=${QCONV_VENV:-$ROOT/.venv}
BUILD=${QCONV_BUILD_DIR:-$ROOT/build}
ASAN_BUILD=${BUILD}-asan
JOBS=${QCONV_JOBS:-$(nproc 2>/dev/null || echo 2)}
PY=$VENV/bin/python

say() { printf '[build.sh] %s\n' "$*"; }
die() { printf '[build.sh] error: %s\n' "$*" >&2; exit 1; }

need() {  # need <command> <what it is for>
  command -v "$1" >/dev/null 2>&1 || die "'$1' is missing: it is needed $2. Install it (Debian: apt-get install $3) and run again."
}

check_prereqs() {
  need python3 "to create the Python environment" python3
  need g++ "to build the host core, the CPU twin and the extensions" g++
  need gcc "to build the stand-in CANN libraries of the oracle tests" gcc
  need cmake "to configure the C++ build" cmake
  python3 - <<'PYV' || die "Python 3.11 or newer is needed (found $(python3 --version 2>&1))"
import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PYV
  local cm; cm=$(cmake --version | sed -n 's/cmake version \([0-9]*\.[0-9]*\).*/\1/p')
  [ "$(printf '%s\n3.20\n' "$cm" | sort -V | head -1)" = "3.20" ] || die "cmake >= 3.20 is needed (found $cm)"
}

setup_venv() {
  [ -x "$PY" ] || { say "creating $VENV"; python3 -m venv "$VENV"; }
  # Reinstall only when the pinned set or the package metadata changed.
  local stamp="$VENV/.qconv-deps-$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing pinned dependencies (torch 2.13.0 CPU wheel from local disk)"
    "$PY" -m pip install --disable-pip-version-check -q -r "$ROOT/requirements.txt"
    "$PY" -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e "$ROOT"
    rm -f "$VENV"/.qconv-deps-*
    touch "$stamp"
  fi
}

cmake_build() {  # cmake_build <build dir> [extra cmake args...]
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$dir" -DPython_EXECUTABLE="$PY" "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$JOBS"
}

build() {
  check_prereqs
  setup_venv
  say "building in $BUILD"
  cmake_build "$BUILD"
}

build_asan() {
  say "building the ASan+UBSan tree in $ASAN_BUILD"
  cmake_build "$ASAN_BUILD" -DQCONV_SANITIZE=ON
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    build
    exec "$VENV/bin/qconv-kit" run "$@"
    ;;
  test)
    build
    build_asan
    export QCONV_BUILD_DIR=$BUILD QCONV_ASAN_BUILD_DIR=$ASAN_BUILD
    # The oracle tests' environment: torch-npu 2.13.0 beside (not inside) .venv, plus stand-in CANN
    # libraries, so real torch_npu / torchair code runs on the CPU.
    if [ -x "$ROOT/tools/setup_oracle.sh" ]; then
      PYTHON="$PY" "$ROOT/tools/setup_oracle.sh" "$BUILD/oracle"
      export QCONV_ORACLE_DIR=$BUILD/oracle
    fi
    cd "$ROOT"
    exec "$PY" -m pytest "$@"
    ;;
  build)
    build
    ;;
  pkg|profile|check-headers|check-pkg)
    script="$ROOT/tools/${cmd//-/_}.sh"
    [ -x "$script" ] || die "'$cmd' is not available in this checkout ($script is missing)"
    check_prereqs
    setup_venv
    export QCONV_BUILD_DIR=$BUILD PYTHON="$PY"
    exec "$script" "$@"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = "-h" ] || [ "$cmd" = "--help" ] || exit 2
    ;;
esac
