"""Run a script of tests/oracle in a subprocess with the oracle environment (see conftest.py)."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def run_oracle_script(oracle_dir, script, *args, cwd, env=None):
    """Run tests/oracle/<script> in a subprocess with the oracle environment; fail with its output."""
    env = {**os.environ, **(env or {}), "QCONV_ORACLE_DIR": str(oracle_dir)}
    proc = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
