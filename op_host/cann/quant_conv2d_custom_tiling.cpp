// TilingFunc of QuantConv2dCustom (CANN 8.1): GE context -> ConvParams -> CheckParams -> ComputeTiling with
// the SoC's compile-time facts corrected by PlatformAscendC's runtime core counts and memory sizes -> the
// tiling-data POD, block dim and workspace. All decisions live in the plain C++ core.
#include <qconv_generated/soc_table.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "op_host/cann/ge_args_reader.h"
#include "op_host/cann/quant_conv2d_custom_entry.h"
#include "op_host/core/check_params.h"
#include "op_host/core/ge_params.h"
#include "op_host/tiling/tiling_engine.h"
#include "op_kernel/quant_conv2d_tiling_data.h"
#include "tiling/platform/platform_ascendc.h"

namespace optiling {
namespace {

using qconv::op_indices::kInputBias;
using qconv::op_indices::kInputFilter;
using qconv::op_indices::kInputScale;
using qconv::op_indices::kInputX;

constexpr uint32_t kBatchScheduleMode = 1;  // TilingContext::SetScheduleMode: 0 normal, 1 batch

ge::graphStatus Fail(gert::TilingContext* context, const std::string& message) {
    // GE prints the node and this text; the wording is the one the Python checks use.
    std::fprintf(stderr, "[qconv] %s tiling failed: %s\n", context->GetNodeName(), message.c_str());
    return ge::GRAPH_FAILED;
}

// The compile-time SocSpec of the running SoC, with core counts and buffer sizes from the runtime: a
// virtualised partition or a 20-core part reports fewer cores, and the kernel must not assume more.
bool RuntimeSoc(const platform_ascendc::PlatformAscendC& platform, qconv::SocSpec* soc) {
    const char* name = nullptr;
    switch (platform.GetSocVersion()) {
        case platform_ascendc::SocVersion::ASCEND910B: name = "ascend910b"; break;  // also 910_93: same facts
        case platform_ascendc::SocVersion::ASCEND310P: name = "ascend310p"; break;
        default: return false;
    }
    const qconv::SocSpec* table = qconv::soc_table::Find(name);
    if (table == nullptr) return false;
    *soc = *table;
    const uint32_t cores = platform.GetCoreNumAic();
    if (cores > 0) soc->cube_cores = std::min(soc->cube_cores, cores);
    const std::pair<platform_ascendc::CoreMemType, uint64_t*> levels[] = {
        {platform_ascendc::CoreMemType::L1, &soc->l1_bytes},   {platform_ascendc::CoreMemType::L0_A, &soc->l0a_bytes},
        {platform_ascendc::CoreMemType::L0_B, &soc->l0b_bytes}, {platform_ascendc::CoreMemType::L0_C, &soc->l0c_bytes},
        {platform_ascendc::CoreMemType::UB, &soc->ub_bytes}};
    for (const auto& [type, bytes] : levels) {
        uint64_t runtime = 0;
        platform.GetCoreMemSize(type, runtime);
        // The table holds usable bytes (reservations subtracted); a smaller runtime figure wins.
        if (runtime > 0) *bytes = std::min(*bytes, runtime);
    }
    return true;
}

}  // namespace

ge::graphStatus QuantConv2dCustomTilingFunc(gert::TilingContext* context) {
    qconv::GeArgs ge;
    const gert::StorageShape* x = context->GetInputShape(kInputX);
    const gert::StorageShape* filter = context->GetInputShape(kInputFilter);
    const gert::StorageShape* scale = context->GetInputShape(kInputScale);
    if (x == nullptr || filter == nullptr || scale == nullptr) return Fail(context, "missing input shape");
    ge.x = {qconv::cann::Dims(x->GetStorageShape()), static_cast<int32_t>(context->GetInputDesc(kInputX)->GetDataType())};
    // A filter packed once into FRACTAL_Z (npu_format_cast, torchair's use_internal_format_weight) reaches the
    // op with that storage format: the tiling tells the kernel to read it as it is (weight_format 1).
    const auto* filter_desc = context->GetInputDesc(kInputFilter);
    ge.filter_fractal_z = ge::GetPrimaryFormat(static_cast<int32_t>(filter_desc->GetStorageFormat())) ==
                          static_cast<int32_t>(ge::FORMAT_FRACTAL_Z);
    ge.filter = {qconv::cann::Dims(ge.filter_fractal_z ? filter->GetOriginShape() : filter->GetStorageShape()),
                 static_cast<int32_t>(filter_desc->GetDataType())};
    if (ge.filter_fractal_z) ge.filter_storage_shape = qconv::cann::Dims(filter->GetStorageShape());
    ge.scale = {qconv::cann::Dims(scale->GetStorageShape()),
                static_cast<int32_t>(context->GetInputDesc(kInputScale)->GetDataType())};
    if (const gert::StorageShape* bias = context->GetOptionalInputShape(kInputBias)) {
        const auto* desc = context->GetOptionalInputDesc(kInputBias);
        ge.bias = qconv::GeTensor{qconv::cann::Dims(bias->GetStorageShape()),
                                  static_cast<int32_t>(desc != nullptr ? desc->GetDataType() : ge::DT_INT32)};
    }
    qconv::cann::ReadAttrs(context->GetAttrs(), &ge);

    qconv::ConvParams params;
    qconv::Status status = qconv::ToConvParams(ge, &params);
    if (!status.ok) return Fail(context, status.message);

    const platform_ascendc::PlatformAscendC platform(context->GetPlatformInfo());
    qconv::SocSpec soc;
    if (!RuntimeSoc(platform, &soc)) return Fail(context, std::string("SoC not supported; allowed: ") + qconv::soc_table::kSocNames);
    status = qconv::CheckParams(params, &soc);
    if (!status.ok) return Fail(context, status.message);

    qconv::tiling::TilingResult result;
    try {
        result = qconv::tiling::ComputeTiling(qconv::ToConvShape(params), soc);
    } catch (const std::exception& e) {
        return Fail(context, e.what());
    }

    auto* raw = context->GetRawTilingData();
    if (raw == nullptr || raw->GetCapacity() < sizeof(qconv::QuantConv2dTilingData)) {
        return Fail(context, "tiling buffer smaller than QuantConv2dTilingData");
    }
    std::memcpy(raw->GetData(), &result.data, sizeof(result.data));
    raw->SetDataSize(sizeof(result.data));

    // Split cores: one block = one AIC + its two AIVs (KERNEL_TYPE_MIX_AIC_1_2); coupled: one AI core.
    const uint32_t block_dim = soc.topology == qconv::CoreTopology::kSplit
        ? platform.CalcTschBlockDim(result.data.block_dim, platform.GetCoreNumAic(), platform.GetCoreNumAiv())
        : result.data.block_dim;
    context->SetBlockDim(block_dim);
    // Both kernels have an all-core barrier (2201: hard SyncAll, 2002: soft SyncAll). Batch mode starts the
    // kernel only once all its cores are free, so no started core can wait at the barrier for a core that an op
    // of another stream holds (SetScheduleMode: hiascend.com CANN API page atlasopapi_07_00248; mirror-cann/asc-devkit
    // docs/zh/api/SIMD-API/基础API/同步控制/核间同步/SyncAll.md; hicann/ops-nn sets it for its 310P soft-SyncAll
    // ops, e.g. pooling/avg_pool3_d/op_host/avg_pool3_d_tiling.cpp). Not fatal when refused: without concurrent streams the barrier cannot deadlock.
    if (context->SetScheduleMode(kBatchScheduleMode) != ge::GRAPH_SUCCESS) {
        std::fprintf(stderr, "[qconv] %s: SetScheduleMode(batch) refused; multi-stream runs may deadlock\n",
                     context->GetNodeName());
    }

    size_t* workspace = context->GetWorkspaceSizes(1);
    if (workspace == nullptr) return Fail(context, "no workspace slot");
    workspace[0] = static_cast<size_t>(platform.GetLibApiWorkSpaceSize()) + static_cast<size_t>(result.data.ws_total_bytes);
    return ge::GRAPH_SUCCESS;
}

}  // namespace optiling
