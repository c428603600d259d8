// NPU eager kernel of torch.ops.qconv.quant_conv2d: the installed op package's two-stage aclnn API.
//
// Registers qconv_npu::aclnn_quant_conv2d_custom, which python/qconv/npu.py calls after the shared
// argument checks, with the GE attribute values already laid out (4-element strides/pads/dilations)
// and the float16 output allocated. The call follows torch_npu's own aclnn sequence with its exported
// helpers: convert the tensors to aclTensor, aclnnQuantConv2dCustomGetWorkspaceSize, workspace from
// torch_npu's caching allocator, then aclnnQuantConv2dCustom on the current NPU stream through
// torch_npu's task queue (OpCommand::RunOpApiV2), so the op orders with every other op of the stream.
// op-plugin's EXEC_NPU_CMD macro cannot be used from outside libtorch_npu: its executor cache reads
// thread-locals (g_hash_buf) that libtorch_npu does not export.
//
// The argument order is the aclnn prototype msopgen generates from the OpDef: inputs (bias is
// optional), attributes in REG_OP order, then the output. configs/op.yaml declares both;
// tests/test_pkg_configs.py checks WorkspaceSizeFn below against it.
#include <cstdint>
#include <string>

#include <torch/library.h>

#include "op_plugin/utils/op_api_common_base.h"

namespace qconv_npu {
namespace {

constexpr const char* kWorkspaceApi = "aclnnQuantConv2dCustomGetWorkspaceSize";
constexpr const char* kLaunchApi = "aclnnQuantConv2dCustom";

using WorkspaceSizeFn = int (*)(const aclTensor* x, const aclTensor* filter, const aclTensor* scale,
                                const aclTensor* biasOptional, const aclIntArray* strides, const aclIntArray* pads,
                                const aclIntArray* dilations, int64_t groups, char* dataFormat, int64_t offsetX,
                                char* roundMode, int64_t dtype, const aclTensor* y, uint64_t* workspaceSize,
                                aclOpExecutor** executor);
using LaunchFn = int (*)(void* workspace, uint64_t workspaceSize, aclOpExecutor* executor, aclrtStream stream);
// aclnn's per-thread memory pool hooks (libopapi); optional, as in torch_npu.
using HugeMemFn = void (*)(void*, bool);

template <typename Fn>
Fn lookup(const char* name) {
  return reinterpret_cast<Fn>(GetOpApiFuncAddr(name));
}

// Owns the aclTensor / aclIntArray handles of one call; destroyed after the launch.
struct AclArgs {
  aclTensor* x = nullptr;
  aclTensor* filter = nullptr;
  aclTensor* scale = nullptr;
  aclTensor* bias = nullptr;
  aclIntArray* strides = nullptr;
  aclIntArray* pads = nullptr;
  aclIntArray* dilations = nullptr;
  aclTensor* y = nullptr;

  void release() const {
    static const auto destroy_tensor = lookup<_aclDestroyTensor>("aclDestroyTensor");
    static const auto destroy_array = lookup<_aclDestroyIntArray>("aclDestroyIntArray");
    for (const aclTensor* t : {x, filter, scale, bias, y}) {
      if (t != nullptr && destroy_tensor != nullptr) destroy_tensor(t);
    }
    for (const aclIntArray* a : {strides, pads, dilations}) {
      if (a != nullptr && destroy_array != nullptr) destroy_array(a);
    }
  }
};

}  // namespace

// True when the op package's aclnn library (libcust_opapi.so of vendor qconv) can be found.
bool op_package_available() {
  return GetOpApiFuncAddr(kWorkspaceApi) != nullptr && GetOpApiFuncAddr(kLaunchApi) != nullptr;
}

at::Tensor& aclnn_quant_conv2d_custom(const at::Tensor& x, const at::Tensor& filter, const at::Tensor& scale,
                                      const c10::optional<at::Tensor>& bias, at::IntArrayRef strides,
                                      at::IntArrayRef pads, at::IntArrayRef dilations, int64_t groups,
                                      c10::string_view data_format, int64_t offset_x, c10::string_view round_mode,
                                      int64_t dtype, at::Tensor& y) {
  static const auto workspace_size_fn = lookup<WorkspaceSizeFn>(kWorkspaceApi);
  static const auto launch_fn = lookup<LaunchFn>(kLaunchApi);
  static const auto init_mem = lookup<HugeMemFn>("InitHugeMemThreadLocal");
  static const auto uninit_mem = lookup<HugeMemFn>("UnInitHugeMemThreadLocal");
  static const auto release_mem = lookup<HugeMemFn>("ReleaseHugeMem");
  TORCH_CHECK(workspace_size_fn != nullptr && launch_fn != nullptr, kLaunchApi,
              " is not available: the qconv op package is not installed or not on ASCEND_CUSTOM_OPP_PATH. "
              "Build it with `./build.sh pkg`, install it with `bash custom_opp_<os>_<arch>.run "
              "[--install-path=<dir>]` and, for a custom path, `source <dir>/vendors/qconv/bin/set_env.bash`.");

  aclrtStream stream = c10_npu::getCurrentNPUStream().stream(false);
  if (init_mem != nullptr) init_mem(nullptr, false);
  AclArgs args;
  args.x = ConvertType(x);
  args.filter = ConvertType(filter);
  args.scale = ConvertType(scale);
  args.bias = ConvertType(bias);  // nullptr when absent: aclnn's "optional input not given"
  args.strides = ConvertType(strides);
  args.pads = ConvertType(pads);
  args.dilations = ConvertType(dilations);
  args.y = ConvertType(y);
  // aclnn takes attribute strings as char*; GetWorkspaceSize copies what it keeps.
  std::string data_format_str(data_format);
  std::string round_mode_str(round_mode);

  uint64_t workspace_size = 0;
  aclOpExecutor* executor = nullptr;
  const int status = workspace_size_fn(args.x, args.filter, args.scale, args.bias, args.strides, args.pads,
                                       args.dilations, groups, data_format_str.data(), offset_x,
                                       round_mode_str.data(), dtype, args.y, &workspace_size, &executor);
  if (status != 0) {
    args.release();
    if (uninit_mem != nullptr) uninit_mem(nullptr, false);
    TORCH_CHECK(false, kWorkspaceApi, " failed with status ", status, " (see the CANN log for the reason)");
  }
  at::Tensor workspace;  // held by the launch closure until the queued launch ran
  void* workspace_addr = nullptr;
  if (workspace_size != 0) {
    // A plain byte tensor on x's device: torch_npu's caching allocator, public API only. Left uninitialised:
    // the kernel writes everything it reads, including 2002's soft SyncAll area, which every core clears
    // before the barrier (op_kernel/stage_cross_core.h), as under GE's pool memory.
    workspace = at::empty({static_cast<int64_t>(workspace_size)}, x.options().dtype(at::kByte));
    workspace_addr = workspace.data_ptr();
  }
  auto launch = [args, workspace, workspace_addr, workspace_size, executor, stream]() -> int {
    const int launch_status = launch_fn(workspace_addr, workspace_size, executor, stream);
    args.release();
    if (release_mem != nullptr) release_mem(nullptr, false);
    TORCH_CHECK(launch_status == 0, kLaunchApi, " failed with status ", launch_status);
    return launch_status;
  };
  at_npu::native::OpCommand::RunOpApiV2(kLaunchApi, launch);
  if (uninit_mem != nullptr) uninit_mem(nullptr, false);
  return y;
}

}  // namespace qconv_npu

TORCH_LIBRARY(qconv_npu, m) {
  m.def("aclnn_quant_conv2d_custom(Tensor x, Tensor filter, Tensor scale, Tensor? bias, int[] strides, "
        "int[] pads, int[] dilations, int groups, str data_format, int offset_x, str round_mode, int dtype, "
        "Tensor(a!) y) -> Tensor(a!)");
  m.def("op_package_available() -> bool");
}

TORCH_LIBRARY_IMPL(qconv_npu, PrivateUse1, m) {
  m.impl("aclnn_quant_conv2d_custom", &qconv_npu::aclnn_quant_conv2d_custom);
}

TORCH_LIBRARY_IMPL(qconv_npu, CompositeExplicitAutograd, m) {
  m.impl("op_package_available", &qconv_npu::op_package_available);
}
