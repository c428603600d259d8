"""Shared pytest set-up. Tests import the package from python/ (editable install) and find compiled
modules through qconv._native (QCONV_NATIVE_DIR selects another build, e.g. the ASan tree); build
tree locations come from tests/kit_paths.py."""
