#!/usr/bin/env bash
# The oracle environment: real torch_npu / torchair Python code runnable on this CPU-only machine, for
# tests that compare the kit against upstream (meta parity, torchair graph build).
#
#   PYTHON=<venv python> tools/setup_oracle.sh <oracle dir>
#
# <oracle>/site   torch-npu (bundles torchair) and torchair's needs, installed with --no-deps beside
#                 the venv, never into it: an installed torch_npu makes every plain `import torch` in
#                 that environment try to load it. torch itself comes from the venv.
# <oracle>/stubs  stand-ins for the CANN libraries torch_npu links against (tools/gen_cann_stubs.sh).
# <oracle>/READY  written last; <oracle>/UNAVAILABLE holds the reason when set-up failed (the tests
#                 then skip with it, and this script still exits 0 so the rest of the suite runs).
# Idempotent: a finished set-up with the same pins returns at once.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: PYTHON=<python> $0 <oracle dir>" >&2; exit 2; }
ORACLE=$1
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# torch-npu's version must equal the venv's torch (2.13.0); newer torch-npu pins a CUDA torch.
PINS=(torch-npu==2.13.0 protobuf==7.36.2 packaging==26.4)
KEY=$(cat "$0" "$HERE/gen_cann_stubs.sh" <(printf '%s\n' "${PINS[@]}") | sha256sum | cut -c1-16)

say() { printf '[setup_oracle] %s\n' "$*"; }
unavailable() {
  mkdir -p "$ORACLE"
  printf '%s\n' "$*" > "$ORACLE/UNAVAILABLE"
  say "oracle tests will skip: $*"
  exit 0
}

if [ -f "$ORACLE/READY" ] && [ "$(cat "$ORACLE/READY")" = "$KEY" ]; then
  say "ready ($ORACLE)"
  exit 0
fi
rm -f "$ORACLE/READY" "$ORACLE/UNAVAILABLE"
mkdir -p "$ORACLE"

say "installing ${PINS[*]} into $ORACLE/site"
rm -rf "$ORACLE/site"
if ! "$PYTHON" -m pip install --disable-pip-version-check -q --no-deps --target "$ORACLE/site" "${PINS[@]}" \
     > "$ORACLE/pip.log" 2>&1; then
  unavailable "pip could not install ${PINS[*]} (see $ORACLE/pip.log)"
fi

TORCH_SITE=$("$PYTHON" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("torch").origin).parent.parent)') \
  || unavailable "the Python at $PYTHON has no torch"
say "building stand-in CANN libraries into $ORACLE/stubs"
if ! "$HERE/gen_cann_stubs.sh" "$ORACLE/site" "$TORCH_SITE" "$ORACLE/stubs" > "$ORACLE/stubs.log" 2>&1; then
  unavailable "the stand-in CANN libraries could not be built (see $ORACLE/stubs.log)"
fi
cat "$ORACLE/stubs.log"

# Prove the environment works before declaring it ready.
if ! QCONV_ORACLE_DIR=$ORACLE PYTHONPATH="$HERE/../tests/oracle${PYTHONPATH:+:$PYTHONPATH}" \
     "$PYTHON" -c 'import oracle_env; oracle_env.activate(); import torch_npu, torchair; print("torch_npu", torch_npu.__version__)' \
     > "$ORACLE/probe.log" 2>&1; then
  unavailable "import torch_npu, torchair fails with the stand-in libraries (see $ORACLE/probe.log)"
fi
echo "$KEY" > "$ORACLE/READY"
say "ready ($ORACLE)"
