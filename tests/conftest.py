"""Shared pytest set-up. Tests import the package from python/ (editable install) and find compiled
modules through qconv._native (QCONV_NATIVE_DIR selects another build, e.g. the ASan tree)."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD_DIR = pathlib.Path(os.environ.get("QCONV_BUILD_DIR", ROOT / "build"))
ASAN_BUILD_DIR = pathlib.Path(os.environ.get("QCONV_ASAN_BUILD_DIR", str(BUILD_DIR) + "-asan"))
