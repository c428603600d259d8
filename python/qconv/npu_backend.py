"""Plugin of qconv.backends (PLUGIN_MODULES): the "npu" backend of `qconv-kit run`, available when
torch_npu sees a device and the op package is installed (qconv.npu.status() tells which part is missing)."""
from qconv import backends, npu

backends.register("npu", npu.run_backend, npu.backend_available)
