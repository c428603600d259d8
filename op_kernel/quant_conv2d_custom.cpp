// QuantConv2d kernel entry (msopgen convention). The same source builds the op package with CANN's compiler
// and, against sim/, the CPU twin; the stages live in headers, this file only wires them per arch.
//   arch 2201 (MIX_AIC_1_2): AIVs lay out fmap and weight, SyncAll, then the AIC runs the cube loop into the
//                            ws.acc ring while its two AIVs dequant each tile (stage_cross_core.h). On the
//                            direct GEMM path with a FRACTAL_Z filter there is nothing to lay out: no phase 1.
//                            With K slices the AICs write partials, a second SyncAll, then the AIVs add and
//                            dequant them.
//   arch 2002 (coupled):     the core lays out, soft SyncAll over GM, then per tile cube -> L0C -> UB -> dequant.
#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"
#include "epilogue_dequant_nz_to_nchw.h"
#include "layout_x_and_filter_to_workspace.h"
#include "stage_cross_core.h"
#include "stage_cube_conv.h"

// The twin links both arch builds into one module, so its build renames the symbol per arch.
#ifndef QCONV_KERNEL_ENTRY
#define QCONV_KERNEL_ENTRY quant_conv2d_custom
#endif

namespace qconv::kernel {

// Phase 1 on one vector core (all of them share the work).
__aicore__ inline void RunLayoutTransform(AscendC::TPipe* pipe, GM_ADDR x, GM_ADDR weight, GM_ADDR workspace,
                                          const QuantConv2dTilingData& td) {
    LayoutTransform transform;
    transform.Init(pipe, x, weight, workspace + td.ws_fmap_offset, workspace + td.ws_weight_offset, LayoutArgsOf(td));
    transform.Process(static_cast<uint32_t>(AscendC::GetBlockIdx()),
                      static_cast<uint32_t>(AscendC::GetBlockNum() * AscendC::GetSubBlockNum()));
}

#if __CCE_AICORE__ == 220
// Phase 2 on one AIV: every tile of its cube block, in schedule order, through the ws.acc ring.
__aicore__ inline void RunVectorEpilogue(AscendC::TPipe* pipe, GM_ADDR scale, GM_ADDR bias, GM_ADDR y,
                                         GM_ADDR workspace, const QuantConv2dTilingData& td) {
    DequantEpilogue epilogue;
    epilogue.Init(pipe, scale, bias, y, td, true);
    auto on_tile = [&](const AscendC::GlobalTensor<int32_t>& slot_gm, const schedule::OutputTile& tile,
                       const schedule::VectorShare& share) {
        // A tile of several whole images: each image in turn, from its own rows of the slot.
        schedule::OutputTile image_tile = tile;
        image_tile.images = 1;
        for (uint32_t i = 0; i < tile.images; ++i, ++image_tile.batch) {
            epilogue.ProcessFromWorkspace(slot_gm, image_tile, share.m_offset, share.m_len, share.n_offset,
                                          share.n_len, i * schedule::ImageRowPitch(td));
        }
    };
    if (schedule::KSlices(td) > 1) {
        VectorReduceTiles(workspace, td, on_tile);
    } else {
        VectorConsumeTiles(workspace, td, on_tile);
    }
}
#endif

}  // namespace qconv::kernel

extern "C" __global__ __aicore__ void QCONV_KERNEL_ENTRY(GM_ADDR x, GM_ADDR weight, GM_ADDR scale, GM_ADDR bias,
                                                         GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    using namespace qconv::kernel;
#if __CCE_AICORE__ == 220
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
#endif
    // The op build generates GET_TILING_DATA for the struct registered here (CANN 8.1 tbe/tikcpp reads it
    // from the preprocessed kernel; without it the build generates no GET_TILING_DATA).
    REGISTER_TILING_DEFAULT(qconv::QuantConv2dTilingData);
    GET_TILING_DATA(tiling_data, tiling);
    // `workspace` starts with the system workspace on the NPU (the TilingFunc requests system + user bytes);
    // every ws_* offset of the tiling data counts from the user part.
    GM_ADDR user_ws = AscendC::GetUserWorkspace(workspace);
    AscendC::TPipe pipe;
#if __CCE_AICORE__ == 220
    // Every core passes one SyncAll when phase 1 runs: the AIVs after their layout work, the AICs inside
    // RunCubeSplit, after issuing the loads that do not depend on it.
    const bool layout_phase = qconv::schedule::HasLayoutPhase(tiling_data);
    if ASCEND_IS_AIC {
        RunCubeSplit(&pipe, x, weight, user_ws, tiling_data, layout_phase);
    }
    if ASCEND_IS_AIV {
        if (layout_phase) {
            RunLayoutTransform(&pipe, x, weight, user_ws, tiling_data);
            AscendC::SyncAll<false>();
            pipe.Reset();  // phase 1's UB goes back to the epilogue
        }
        RunVectorEpilogue(&pipe, scale, bias, y, user_ws, tiling_data);
    }
#else
    RunLayoutTransform(&pipe, x, weight, user_ws, tiling_data);
    SoftSyncAll(&pipe, user_ws + tiling_data.ws_sync_offset);
    pipe.Reset();  // phase 1's UB goes back to the cube side's tile and the epilogue
    DequantEpilogue epilogue;
    epilogue.Init(&pipe, scale, bias, y, tiling_data, false);
    RunCubeCoupled(&pipe, x, weight, user_ws, tiling_data, [&](const AscendC::LocalTensor<int32_t>& acc,
                                                    const qconv::schedule::OutputTile& tile) {
        epilogue.ProcessInUb(acc, tile);
    });
#endif
}
