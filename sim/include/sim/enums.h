// Enumerations of the Ascend C API with the CANN 8.1.RC1 values (leideng/CANN-8.1.RC1: basic_api/impl/
// kernel_event.h, impl/kernel_reg.h, interface/kernel_struct_*.h; tools/tikicpulib/lib/include/stub_fun.h for the
// compiler enums pipe_t and QuantMode_t).
#pragma once

#include <cstdint>

#include "sim/counters.h"

// Compiler-builtin enums live at global scope, as in CANN's stub_fun.h.
enum pipe_t : uint8_t {
    PIPE_S = 0,
    PIPE_V = 1,
    PIPE_M = 2,
    PIPE_MTE1 = 3,
    PIPE_MTE2 = 4,
    PIPE_MTE3 = 5,
    PIPE_ALL = 6,
    PIPE_MTE4 = 7,
    PIPE_MTE5 = 8,
    PIPE_V2 = 9,
    PIPE_FIX = 10,
};

enum event_t : uint8_t { EVENT_ID0 = 0, EVENT_ID1, EVENT_ID2, EVENT_ID3, EVENT_ID4, EVENT_ID5, EVENT_ID6, EVENT_ID7 };

enum QuantMode_t : uint8_t {
    NoQuant = 0,
    F322F16 = 1,
    AttachF16Mul = 6,
    VREQ8 = 8,
    REQ8 = 9,
    VDEQF16 = 10,
    DEQF16 = 11,
    VSHIFTS322S16 = 12,
    SHIFTS322S16 = 13,
    F322BF16 = 16,
    VQF162B8_PRE = 17,
    QF162B8_PRE = 18,
    VQF162S4_PRE = 19,
    QF162S4_PRE = 20,
    VREQ4 = 21,
    REQ4 = 22,
    VQF322B8_PRE = 23,
    QF322B8_PRE = 24,
    VQF322S4_PRE = 25,
    QF322S4_PRE = 26,
    VDEQS16 = 27,
    DEQS16 = 28,
    VQF162S16_PRE = 29,
    QF162S16_PRE = 30,
};

enum pad_t : uint8_t { PAD_NONE = 0, PAD_MODE1, PAD_MODE2, PAD_MODE3, PAD_MODE4, PAD_MODE5, PAD_MODE6, PAD_MODE7, PAD_MODE8 };

namespace AscendC {

enum class TPosition : uint8_t {
    GM = 0,
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
    CO1,
    CO2,
    VECIN,
    VECOUT,
    VECCALC,
    LCM = VECCALC,
    SPM,
    SHM = SPM,
    TSCM,
    C2PIPE2GM,
    C2PIPE2LOCAL,
    MAX,
};
using QuePosition = TPosition;

enum class HardEvent : uint8_t {
    MTE2_MTE1 = 0,
    MTE1_MTE2,
    MTE1_M,
    M_MTE1,
    MTE2_V,
    V_MTE2,
    MTE3_V,
    V_MTE3,
    M_V,
    V_M,
    V_V,
    MTE3_MTE1,
    MTE1_MTE3,
    MTE1_V,
    MTE2_M,
    M_MTE2,
    V_MTE1,
    M_FIX,
    FIX_M,
    MTE3_MTE2,
    MTE2_MTE3,
    S_V,
    V_S,
    S_MTE2,
    MTE2_S,
    S_MTE3,
    MTE3_S,
    MTE2_FIX,
    FIX_MTE2,
    FIX_S,
    M_S,
    FIX_MTE3,
    MTE1_FIX,
    FIX_MTE1,
    FIX_FIX,
    MAX,
};

enum class RoundMode : uint8_t { CAST_NONE = 0, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC, CAST_ODD };
enum class MaskMode : uint8_t { NORMAL = 0, COUNTER };
enum class BlockMode : uint8_t { BLOCK_MODE_NORMAL = 0, BLOCK_MODE_MATRIX, BLOCK_MODE_VECTOR, BLOCK_MODE_SMALL_CHANNEL, BLOCK_MODE_DEPTHWISE };
enum class DeqScale : uint8_t { DEQ_NONE = 0, DEQ, VDEQ, DEQ8, VDEQ8, DEQ16, VDEQ16 };
enum class FmatrixMode : uint8_t { FMATRIX_LEFT = 0, FMATRIX_RIGHT = 1 };
enum class CO2Layout : uint8_t { NZ = 0, ROW_MAJOR, COLUMN_MAJOR };
// kernel_reg.h (8.1.RC1): the DataCacheCleanAndInvalid modes.
enum class CacheLine : uint64_t { SINGLE_CACHE_LINE = 0, ENTIRE_DATA_CACHE };
enum class DcciDst : uint64_t { CACHELINE_ALL = 0, CACHELINE_UB, CACHELINE_OUT, CACHELINE_ATOMIC };

using TEventID = int8_t;
constexpr uint64_t MASK_PLACEHOLDER = 0;

}  // namespace AscendC

namespace qconv::sim {

// Pipes on either side of a HardEvent, in enum order.
struct EventPipes {
    Pipe src;
    Pipe dst;
};
inline EventPipes PipesOf(AscendC::HardEvent e) {
    using P = Pipe;
    static const EventPipes kTable[] = {
        {P::kMte2, P::kMte1}, {P::kMte1, P::kMte2}, {P::kMte1, P::kM},   {P::kM, P::kMte1},    {P::kMte2, P::kV},
        {P::kV, P::kMte2},    {P::kMte3, P::kV},    {P::kV, P::kMte3},   {P::kM, P::kV},       {P::kV, P::kM},
        {P::kV, P::kV},       {P::kMte3, P::kMte1}, {P::kMte1, P::kMte3}, {P::kMte1, P::kV},   {P::kMte2, P::kM},
        {P::kM, P::kMte2},    {P::kV, P::kMte1},    {P::kM, P::kFix},    {P::kFix, P::kM},     {P::kMte3, P::kMte2},
        {P::kMte2, P::kMte3}, {P::kS, P::kV},       {P::kV, P::kS},      {P::kS, P::kMte2},    {P::kMte2, P::kS},
        {P::kS, P::kMte3},    {P::kMte3, P::kS},    {P::kMte2, P::kFix}, {P::kFix, P::kMte2},  {P::kFix, P::kS},
        {P::kM, P::kS},       {P::kFix, P::kMte3},  {P::kMte1, P::kFix}, {P::kFix, P::kMte1},  {P::kFix, P::kFix},
    };
    return kTable[static_cast<int>(e)];
}

inline Pipe PipeOf(pipe_t p) {
    switch (p) {
        case PIPE_S: return Pipe::kS;
        case PIPE_V: return Pipe::kV;
        case PIPE_M: return Pipe::kM;
        case PIPE_MTE1: return Pipe::kMte1;
        case PIPE_MTE2: return Pipe::kMte2;
        case PIPE_MTE3: return Pipe::kMte3;
        case PIPE_FIX: return Pipe::kFix;
        default: return Pipe::kCount;
    }
}

}  // namespace qconv::sim
