// Kernel qualifiers and macros as the CPU-debug build of CANN 8.1.RC1 defines them (empty address-space
// qualifiers: leideng/CANN-8.1.RC1 tools/tikicpulib/lib/include/stub_def.h) plus the twin's GET_TILING_DATA.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sim/core.h"
#include "sim/error.h"
#include "sim/launch_state.h"

#if !defined(__NPU_ARCH__) || !defined(__CCE_AICORE__)
#error "compile kernels for the twin with -D__CCE_AICORE__=220 -D__NPU_ARCH__=2201 or -D__CCE_AICORE__=200 -D__NPU_ARCH__=2002"
#endif
#if !((__NPU_ARCH__ == 2201 && __CCE_AICORE__ == 220) || (__NPU_ARCH__ == 2002 && __CCE_AICORE__ == 200))
#error "the twin models arch 2201 (__CCE_AICORE__=220) and arch 2002 (__CCE_AICORE__=200) only"
#endif

#define __aicore__
#define __global__
#define __gm__
#define __ubuf__
#define __cbuf__
#define __ca__
#define __cb__
#define __cc__
#define __fbuf__
#define __inout_pipe__(...)
#define __BLOCK_LOCAL__
#define __WORKGROUP_LOCAL__

#ifndef GM_ADDR
#define GM_ADDR __gm__ uint8_t*
#endif

// Kernel type stamps are read only by CANN's pre-compile pass (CANN 8.1.RC1 basic_api/impl/utils/
// kernel_utils_macros.h: ENABLE_FEATURE_FOR_COMPILE is empty outside it): nothing here.
#define KERNEL_TASK_TYPE_DEFAULT(value)
#define KERNEL_TASK_TYPE(key, value)

#if __NPU_ARCH__ == 2201
#define ASCEND_IS_AIC (::qconv::sim::Cur().kind == ::qconv::sim::CoreKind::kAic)
#define ASCEND_IS_AIV (::qconv::sim::Cur().kind == ::qconv::sim::CoreKind::kAiv)
#else
// Arch 2002: one coupled core (g_coreType == MIX), so both predicates are false, as on hardware.
#define ASCEND_IS_AIC (false)
#define ASCEND_IS_AIV (false)
#endif
#define ASCEND_IS_NOT_AIC (!ASCEND_IS_AIC)
#define ASCEND_IS_NOT_AIV (!ASCEND_IS_AIV)

namespace qconv::sim {

// GET_TILING_DATA: a byte copy of the registered tiling struct out of the tiling GM argument, as the
// generated macro of a CANN op build does (InitTilingData). The twin checks the argument is large enough.
template <typename T>
inline void CopyTilingData(T* dst, const void* tiling_gm) {
    uint64_t off = 0;
    Region* r = Cur().launch.FindGm(tiling_gm, &off);
    if (r == nullptr) Fail("GET_TILING_DATA: the tiling argument is not one of the launch's GM buffers");
    if (off + sizeof(T) > r->bytes) {
        Fail(Format("GET_TILING_DATA: the tiling struct needs %zu bytes but %s holds %llu from offset %llu",
                    sizeof(T), r->name.c_str(), static_cast<unsigned long long>(r->bytes),
                    static_cast<unsigned long long>(off)));
    }
    std::memcpy(static_cast<void*>(dst), r->data + off, sizeof(T));
}

}  // namespace qconv::sim

// The op build generates GET_TILING_DATA for the op's registered struct; the twin gets the struct name
// from QCONV_SIM_TILING_STRUCT (defined by the kernel's build, e.g. -DQCONV_SIM_TILING_STRUCT=QuantConv2dTilingData).
#ifdef QCONV_SIM_TILING_STRUCT
#define GET_TILING_DATA(var, tiling) \
    QCONV_SIM_TILING_STRUCT var;     \
    ::qconv::sim::CopyTilingData(&var, tiling)
#endif

// REGISTER_TILING_DEFAULT names the struct the op build generates GET_TILING_DATA for (CANN 8.1.RC1
// basic_api/impl/utils/kernel_utils_macros.h: outside the pre-compile pass it only declares a variable
// of that type). The twin also requires it to be the struct its own GET_TILING_DATA copies.
#ifdef QCONV_SIM_TILING_STRUCT
#define REGISTER_TILING_DEFAULT(tiling_struct)                                                         \
    static_assert(std::is_same_v<tiling_struct, QCONV_SIM_TILING_STRUCT>,                              \
                  "REGISTER_TILING_DEFAULT names another struct than the twin's QCONV_SIM_TILING_STRUCT")
#else
#define REGISTER_TILING_DEFAULT(tiling_struct) static_assert(sizeof(tiling_struct) > 0)
#endif
#define GET_TILING_DATA_WITH_STRUCT(Struct, var, tiling) \
    Struct var;                                          \
    ::qconv::sim::CopyTilingData(&var, tiling)
