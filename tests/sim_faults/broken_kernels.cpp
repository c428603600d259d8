// Kernels broken on purpose, one per sanitizer check of the twin: tests/test_sim_sanitizers.py runs each and
// asserts that the twin stops it with the right finding. They use the same Ascend C API as the real kernel
// and follow its msopgen signature (x, weight, scale, bias, y, workspace, tiling); built per arch, named
// <fault>_<arch>. Only tests build them (target _sim_faults).
#include "kernel_operator.h"

#define QCONV_FAULT_CAT2(a, b) a##_##b
#define QCONV_FAULT_CAT(a, b) QCONV_FAULT_CAT2(a, b)
#define QCONV_FAULT(name)                                                                                       \
    extern "C" __global__ __aicore__ void QCONV_FAULT_CAT(name, __NPU_ARCH__)(                                \
        GM_ADDR x, GM_ADDR weight, GM_ADDR scale, GM_ADDR bias, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling)

namespace {

using namespace AscendC;

// The vector-capable cores: the AIVs on 2201, the coupled core on 2002.
__aicore__ inline bool IsVectorCore() {
#if __CCE_AICORE__ == 220
    return ASCEND_IS_AIV;
#else
    return true;
#endif
}

// Copies 256 int8 of x into UB and back out to y through correctly synchronised queues: the skeleton each
// fault below breaks in one place.
struct CopyKernel {
    TPipe pipe;
    TQue<TPosition::VECIN, 1> in;
    TQue<TPosition::VECOUT, 1> out;
    GlobalTensor<int8_t> x_gm;
    GlobalTensor<int8_t> y_gm;
    __aicore__ inline CopyKernel(GM_ADDR x, GM_ADDR y) {
        pipe.InitBuffer(in, 1, 256);
        pipe.InitBuffer(out, 1, 256);
        x_gm.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(x), 256);
        y_gm.SetGlobalBuffer(reinterpret_cast<__gm__ int8_t*>(y), 256);
    }
};

}  // namespace

// Out-of-bounds access of a local buffer: Duplicate over twice the TBuf's length.
QCONV_FAULT(fault_ub_out_of_bounds) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    Duplicate(buf.Get<int16_t>(), static_cast<int16_t>(0), 1024);  // 2048 bytes into 1024
}

// Misaligned operand: a UB destination 3 bytes into a buffer (UB operands need 32-B alignment).
QCONV_FAULT(fault_misaligned_ub) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    CopyKernel k(x, y);
    LocalTensor<int8_t> t = k.in.AllocTensor<int8_t>();
    DataCopy(t[3], k.x_gm, 32);
    k.in.FreeTensor(t);
}

// Use after free: DataCopy into a tensor already handed back with FreeTensor.
QCONV_FAULT(fault_use_after_free) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    CopyKernel k(x, y);
    LocalTensor<int8_t> t = k.in.AllocTensor<int8_t>();
    k.in.FreeTensor(t);
    DataCopy(t, k.x_gm, 256);
}

// GM out of bounds: writes 256 bytes at the end of y (the test's y holds 256 bytes).
QCONV_FAULT(fault_gm_out_of_bounds) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (!IsVectorCore() || GetBlockIdx() != 0) return;
    CopyKernel k(x, y);
    LocalTensor<int8_t> t = k.out.AllocTensor<int8_t>();
    Duplicate(t.ReinterpretCast<int16_t>(), static_cast<int16_t>(1), 128);
    k.out.EnQue(t);
    t = k.out.DeQue<int8_t>();
    DataCopy(k.y_gm[128], t, 256);
    k.out.FreeTensor(t);
}

// Poison reaching the output: copies a UB buffer nobody wrote to y.
QCONV_FAULT(fault_undefined_output) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (!IsVectorCore() || GetBlockIdx() != 0) return;
    CopyKernel k(x, y);
    LocalTensor<int8_t> t = k.out.AllocTensor<int8_t>();
    k.out.EnQue(t);
    t = k.out.DeQue<int8_t>();
    DataCopy(k.y_gm, t, 256);
    k.out.FreeTensor(t);
}

// Missing synchronisation: the vector unit reads what MTE2 wrote without the queue's EnQue/DeQue hand-off.
QCONV_FAULT(fault_missing_sync) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (!IsVectorCore() || GetBlockIdx() != 0) return;
    CopyKernel k(x, y);
    LocalTensor<int8_t> src = k.in.AllocTensor<int8_t>();
    DataCopy(src, k.x_gm, 256);
    LocalTensor<int8_t> dst = k.out.AllocTensor<int8_t>();
    Adds(dst.ReinterpretCast<int16_t>(), src.ReinterpretCast<int16_t>(), static_cast<int16_t>(0), 128);
    k.out.EnQue(dst);
    dst = k.out.DeQue<int8_t>();
    DataCopy(k.y_gm, dst, 256);
    k.out.FreeTensor(dst);
    k.in.FreeTensor(src);
}

// Two SetFlags on one flag without a WaitFlag in between (SetFlag-WaitFlag(ISASI).md: undefined behaviour).
QCONV_FAULT(fault_double_set_flag) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    SetFlag<HardEvent::MTE2_V>(0);
    SetFlag<HardEvent::MTE2_V>(0);
    WaitFlag<HardEvent::MTE2_V>(0);
}

// A WaitFlag no SetFlag precedes: the pipe would wait forever.
QCONV_FAULT(fault_wait_without_set) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    WaitFlag<HardEvent::V_MTE3>(1);
}

// A flag set and never waited when the kernel ends.
QCONV_FAULT(fault_flag_left_set) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    SetFlag<HardEvent::MTE3_V>(2);
}

// A rounding mode the arch does not support for the conversion (mirror-cann/asc-devkit
// docs/zh/api/SIMD-API/基础API/Memory矢量计算/类型转换/Cast.md: int32 -> float never takes CAST_ODD);
// the NPU would silently skip the instruction.
QCONV_FAULT(fault_unsupported_cast_mode) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 512);
    LocalTensor<int32_t> ints = buf.Get<int32_t>();
    Duplicate(ints, 7, 64);
    PipeBarrier<PIPE_V>();
    Cast(buf.Get<float>()[64], ints, RoundMode::CAST_ODD, 64);
}

// More event ids of one HardEvent in use than the hardware has (8): AllocEventID without releasing.
QCONV_FAULT(fault_event_ids_exhausted) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    for (int i = 0; i < 9; ++i) {
        pipe.AllocEventID<HardEvent::MTE2_V>();
    }
}

#if __CCE_AICORE__ == 220
// A cross-core flag counter past 15: the AIC sets flag 0 sixteen times before its AIVs wait once.
QCONV_FAULT(fault_cross_core_overflow) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if ASCEND_IS_AIC {
        for (int i = 0; i < 16; ++i) {
            CrossCoreSetFlag<2, PIPE_S>(0);
        }
    }
}

// Cross-core deadlock: the AIC waits for a slot credit the AIVs never give.
QCONV_FAULT(fault_cross_core_deadlock) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if ASCEND_IS_AIC {
        CrossCoreWaitFlag(4);
    }
}

// A cross-core set nobody waits for: the C2V counter of both AIVs is still 1 at the end.
QCONV_FAULT(fault_cross_core_unmatched) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if ASCEND_IS_AIC {
        CrossCoreSetFlag<2, PIPE_S>(0);
    }
}
#endif

// Soft SyncAll over GM that was never zeroed (the workspace starts undefined).
QCONV_FAULT(fault_sync_all_unzeroed) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)tiling;
    if (!IsVectorCore()) return;
    TPipe pipe;
    TBuf<TPosition::VECCALC> scratch;
    pipe.InitBuffer(scratch, 32 * GetBlockNum() * GetSubBlockNum());
    GlobalTensor<int32_t> gm;
    gm.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(workspace), 8 * GetBlockNum() * GetSubBlockNum());
    SyncAll(gm, scratch.Get<int32_t>());
}
