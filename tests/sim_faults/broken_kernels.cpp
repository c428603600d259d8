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
            CrossCoreSetFlag<2, PIPE_MTE2>(0);
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
        CrossCoreSetFlag<2, PIPE_MTE2>(0);
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

// ---- Arch rules (tests/test_sim_sanitizers.py ARCH_RULE_FAULTS; sources at each twin check) ----

namespace {

// Load3D reads FMATRIX from its params and the padding value from the register SetLoadDataPaddingValue set.
constexpr IsResetLoad3dConfig kFaultPaddingFromRegister = {true, false};

// One Load3D v2 of a 4x4 int8 fmap (channel_size channels) into L0A with a 3x3 filter and padding `pad`;
// with a padding register value, SetLoadDataPaddingValue<int8_t> writes it first.
template <const IsResetLoad3dConfig& config = IS_RESER_LOAD3D_DEFAULT_CONFIG>
__aicore__ inline void Load3dOnce(uint16_t channel_size, uint16_t m_start, uint8_t pad, int8_t pad_register = 0) {
    TPipe pipe;
    if (config.isSetPadding == false) {
        SetLoadDataPaddingValue<int8_t>(pad_register);
    }
    TBuf<TPosition::A1> l1;
    TBuf<TPosition::A2> l0a;
    pipe.InitBuffer(l1, 4 * 4 * 64);
    pipe.InitBuffer(l0a, 32 * 9 * 32);
    LoadData3DParamsV2<int8_t> p;
    for (int i = 0; i < 4; ++i) p.padList[i] = pad;
    p.l1H = 4;
    p.l1W = 4;
    p.channelSize = channel_size;
    p.kExtension = 32;
    p.mExtension = 16;
    p.kStartPt = 0;
    p.mStartPt = m_start;
    p.strideW = 1;
    p.strideH = 1;
    p.filterW = 3;
    p.filterH = 3;
    p.dilationFilterW = 1;
    p.dilationFilterH = 1;
    p.padValue = 0;
    LoadData<int8_t, config>(l0a.Get<int8_t>(), l1.Get<int8_t>(), p);
}

}  // namespace

#if __CCE_AICORE__ == 200
// channelSize = 64 for int8 on arch 2002: LoadData_3D.md's 310P bullet allows 4, 8, 16, 32, N*32+4/8/16 only.
QCONV_FAULT(fault_load3d_channel_size) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    Load3dOnce(64, 0, 1);
}

// mStartPt = 8 on arch 2002: the 8.1.RC1 check requires a multiple of 16 for int8/half.
QCONV_FAULT(fault_load3d_m_start) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    Load3dOnce(32, 8, 1);
}

// offset_x = -3 passed as int8_t on arch 2002: the register holds 0xFFFD, breaking PADDING[15:8] == PADDING[7:0].
QCONV_FAULT(fault_padding_sign_extended) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    Load3dOnce<kFaultPaddingFromRegister>(32, 0, 1, static_cast<int8_t>(-3));
}

// A vector instruction reading what the previous one on PIPE_V wrote, with no PipeBarrier<PIPE_V> (2002).
QCONV_FAULT(fault_missing_pipe_v_barrier) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 512);
    LocalTensor<int16_t> t = buf.Get<int16_t>();
    Duplicate(t, static_cast<int16_t>(1), 128);
    Adds(t[128], t, static_cast<int16_t>(1), 128);
}

// The pattern of a row tail stored with GlobalTensor::SetValue next to DataCopy blocks: the scalar store fills
// the 64-byte line of y[0], MTE3 then writes y[32..63] of the same line, and TPipe::Destroy writes the line
// back whole with the old bytes 32..63.
QCONV_FAULT(fault_scalar_store_cache_line) {
    (void)weight, (void)scale, (void)bias, (void)workspace, (void)tiling;
    if (GetBlockIdx() != 0) return;
    CopyKernel k(x, y);
    k.y_gm.SetValue(0, static_cast<int8_t>(5));
    LocalTensor<int8_t> t = k.out.AllocTensor<int8_t>();
    Duplicate(t.ReinterpretCast<int16_t>(), static_cast<int16_t>(0x0707), 16);
    k.out.EnQue(t);
    t = k.out.DeQue<int8_t>();
    DataCopy(k.y_gm[32], t, 32);
    k.out.FreeTensor(t);
}

// The 2002 small-plane transpose with the offsets of the int8 data (channel c at byte 49 * c) instead of those
// of its half copy (2 * 49 * c): Gather.md requires srcBaseAddr + srcOffset to be a multiple of the element size.
QCONV_FAULT(fault_gather_byte_offsets) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    TPipe pipe;
    TBuf<TPosition::VECCALC> src, dst, offsets;
    pipe.InitBuffer(src, 32 * 49 * 2);
    pipe.InitBuffer(dst, 32 * 2);
    pipe.InitBuffer(offsets, 32 * 4);
    Duplicate(src.Get<half>(), static_cast<half>(0), 32 * 49);
    LocalTensor<uint32_t> o = offsets.Get<uint32_t>();
    for (uint32_t c = 0; c < 32; ++c) o.SetValue(c, 49 * c);
    SetFlag<HardEvent::S_V>(0);
    WaitFlag<HardEvent::S_V>(0);
    PipeBarrier<PIPE_V>();
    Gather(dst.Get<half>(), src.Get<half>(), o, 0, 32);
}
#endif

#if __CCE_AICORE__ == 220
// The ring pre-credit on PIPE_S: CrossCoreSetFlag(ISASI).md forbids PIPE_S and PIPE_ALL for modes 0/1/2.
QCONV_FAULT(fault_cross_core_pipe_s) {
    (void)x, (void)weight, (void)scale, (void)bias, (void)y, (void)workspace, (void)tiling;
    if ASCEND_IS_AIV {
        CrossCoreSetFlag<2, PIPE_S>(0);
    }
}
#endif
