"""Where the kit's build trees are, for tests that run compiled programs. A module of its own
(not conftest) because pytest imports every conftest.py under the one name `conftest`."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD_DIR = pathlib.Path(os.environ.get("QCONV_BUILD_DIR", ROOT / "build"))
ASAN_BUILD_DIR = pathlib.Path(os.environ.get("QCONV_ASAN_BUILD_DIR", str(BUILD_DIR) + "-asan"))
