// Vector-unit APIs (PIPE_V, AIV on 2201): mask setters, binary / scalar / duplicate / cast ops in their
// count ("calCount") and repeat ("mask, repeatTimes, RepeatParams") forms, and TransDataTo5HD. Doc pages
// under mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/Memory矢量计算/ (SIMD计算说明/高维切分.md and 掩码.md for the address and
// mask rules; 基础算术/Add.md ...; 类型转换/Cast.md; 数据排布转换/TransDataTo5HD.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sim/core.h"
#include "sim/data_copy.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/half.h"
#include "sim/tensor.h"

namespace AscendC {

struct BinaryRepeatParams {
    uint8_t dstBlkStride = 1;
    uint8_t src0BlkStride = 1;
    uint8_t src1BlkStride = 1;
    uint8_t dstRepStride = 8;
    uint8_t src0RepStride = 8;
    uint8_t src1RepStride = 8;
    BinaryRepeatParams() = default;
    BinaryRepeatParams(uint8_t dstBlkStrideIn, uint8_t src0BlkStrideIn, uint8_t src1BlkStrideIn,
                       uint8_t dstRepStrideIn, uint8_t src0RepStrideIn, uint8_t src1RepStrideIn)
        : dstBlkStride(dstBlkStrideIn),
          src0BlkStride(src0BlkStrideIn),
          src1BlkStride(src1BlkStrideIn),
          dstRepStride(dstRepStrideIn),
          src0RepStride(src0RepStrideIn),
          src1RepStride(src1RepStrideIn) {}
};

struct UnaryRepeatParams {
    uint16_t dstBlkStride = 1;
    uint16_t srcBlkStride = 1;
    uint8_t dstRepStride = 8;
    uint8_t srcRepStride = 8;
    bool halfBlock = false;
    UnaryRepeatParams() = default;
    UnaryRepeatParams(uint16_t dstBlkStrideIn, uint16_t srcBlkStrideIn, uint8_t dstRepStrideIn, uint8_t srcRepStrideIn)
        : dstBlkStride(dstBlkStrideIn), srcBlkStride(srcBlkStrideIn), dstRepStride(dstRepStrideIn), srcRepStride(srcRepStrideIn) {}
    UnaryRepeatParams(uint16_t dstBlkStrideIn, uint16_t srcBlkStrideIn, uint8_t dstRepStrideIn, uint8_t srcRepStrideIn,
                      bool halfBlockIn)
        : dstBlkStride(dstBlkStrideIn),
          srcBlkStride(srcBlkStrideIn),
          dstRepStride(dstRepStrideIn),
          srcRepStride(srcRepStrideIn),
          halfBlock(halfBlockIn) {}
};

struct TransDataTo5HDParams {
    bool dstHighHalf = false;
    bool srcHighHalf = false;
    uint8_t repeatTimes = 1;
    uint16_t dstRepStride = 0;
    uint16_t srcRepStride = 0;
    TransDataTo5HDParams() = default;
    TransDataTo5HDParams(bool dstHighHalfIn, bool srcHighHalfIn, uint8_t repeatTimesIn, uint16_t dstRepStrideIn,
                         uint16_t srcRepStrideIn)
        : dstHighHalf(dstHighHalfIn),
          srcHighHalf(srcHighHalfIn),
          repeatTimes(repeatTimesIn),
          dstRepStride(dstRepStrideIn),
          srcRepStride(srcRepStrideIn) {}
};

}  // namespace AscendC

namespace qconv::sim {

// Continuous mask of `len` lanes for element type T (AscendCUtils::SetMask<T>(len)).
template <typename T>
inline void ContinuousMask(uint64_t len, uint64_t* high, uint64_t* low) {
    const uint64_t lanes = 256 / sizeof(T);
    if (len >= 128 || len == lanes) {
        *high = ~0ULL;
        *low = ~0ULL;
    } else if (len == 64) {
        *high = 0;
        *low = ~0ULL;
    } else if (len > 64) {
        *low = ~0ULL;
        *high = (uint64_t{1} << (len - 64)) - 1;
    } else {
        *high = 0;
        *low = len == 0 ? 0 : (len >= 64 ? ~0ULL : (uint64_t{1} << len) - 1);
    }
}

// One operand of a vector instruction: its window, element size and strides in 32-byte blocks.
struct VecOp {
    Span span;
    uint32_t esize;
    uint32_t blk;
    uint32_t rep;
};

// The lane schedule of one vector instruction: repeats of `lanes` lanes each, with the NORMAL-mode
// bit mask or (counter mode) a total element count.
struct LanePlan {
    uint32_t lanes;  // lanes per repeat = 256 / size of the widest operand
    uint32_t repeats;
    bool counter;
    uint64_t count;  // counter mode: total elements
    uint64_t mask_high, mask_low;
    bool Enabled(uint32_t r, uint32_t lane) const {
        if (counter) return uint64_t{r} * lanes + lane < count;
        return lane < 64 ? (mask_low >> lane) & 1 : (mask_high >> (lane - 64)) & 1;
    }
};

inline uint64_t OpByte(const VecOp& o, uint32_t r, uint32_t lane) {
    const uint32_t per_block = 32 / o.esize;
    return (uint64_t{r} * o.rep + uint64_t{lane / per_block} * o.blk) * 32 + uint64_t{lane % per_block} * o.esize;
}

// Highest byte (exclusive) the plan touches in an operand.
inline uint64_t OpExtent(const VecOp& o, const LanePlan& p) {
    uint64_t ext = 0;
    for (uint32_t r = p.repeats >= 2 ? p.repeats - 2 : 0; r < p.repeats; ++r) {
        for (int lane = static_cast<int>(p.lanes) - 1; lane >= 0; --lane) {
            if (p.Enabled(r, static_cast<uint32_t>(lane))) {
                ext = std::max(ext, OpByte(o, r, static_cast<uint32_t>(lane)) + o.esize);
                break;
            }
        }
    }
    return ext;
}

inline uint16_t ElemPoison(const Region& r, uint64_t off, uint32_t es) {
    for (uint32_t b = 0; b < es; ++b)
        if (r.poison[off + b]) return r.poison[off + b];
    return 0;
}

// Runs f(dst_ptr, src_ptrs...) over every enabled lane, with bounds, alignment, synchronization and poison
// bookkeeping done once per call. ops[0] is the destination.
template <size_t N, typename F>
inline void RunLanes(const char* api, const VecOp (&ops)[N], const LanePlan& plan, F&& f) {
    Core& c = Cur();
    if (plan.repeats == 0) return;
    uint64_t ext[N];
    for (size_t i = 0; i < N; ++i) {
        CheckAlign(api, i == 0 ? "dst" : "src", ops[i].span, 32);
        ext[i] = OpExtent(ops[i], plan);
        CheckSpan(api, i == 0 ? "dst" : "src", ops[i].span, 0, ext[i]);
    }
    uint64_t lanes_done = plan.counter ? std::min<uint64_t>(plan.count, uint64_t{plan.repeats} * plan.lanes)
                                       : uint64_t{plan.repeats} * (__builtin_popcountll(plan.mask_low) +
                                                                   __builtin_popcountll(plan.mask_high));
    c.Issue(Pipe::kV, lanes_done * ops[0].esize, lanes_done);
    bool clean = true;
    for (size_t i = 1; i < N; ++i) {
        c.CheckRead(Pipe::kV, *ops[i].span.region, ops[i].span.off, ext[i], api);
        clean = clean && !ops[i].span.region->AnyPoison(ops[i].span.off, ext[i]);
    }
    Region& dr = *ops[0].span.region;
    for (uint32_t r = 0; r < plan.repeats; ++r) {
        for (uint32_t lane = 0; lane < plan.lanes; ++lane) {
            if (!plan.Enabled(r, lane)) continue;
            uint8_t* ptr[N];
            uint16_t origin = 0;
            for (size_t i = 0; i < N; ++i) {
                const uint64_t off = ops[i].span.off + OpByte(ops[i], r, lane);
                ptr[i] = ops[i].span.region->data + off;
                if (i > 0 && !clean && !origin) origin = ElemPoison(*ops[i].span.region, off, ops[i].esize);
            }
            f(ptr);
            const uint64_t doff = ops[0].span.off + OpByte(ops[0], r, lane);
            uint16_t* dp = &dr.poison[doff];
            for (uint32_t b = 0; b < ops[0].esize; ++b) dp[b] = origin;
        }
    }
    c.MarkWrite(Pipe::kV, dr, ops[0].span.off, ext[0], InternName(api));
}

// Builds the plan of a repeat-form call: mask from the argument (isSetMask, persisted in the register) or
// from the register, counter mode honoured.
template <typename Wide>
inline LanePlan RepeatPlan(bool is_set_mask, uint64_t high, uint64_t low, uint8_t repeat) {
    Core& c = Cur();
    if (is_set_mask) {
        c.mask_high = high;
        c.mask_low = low;
    }
    LanePlan p{};
    p.lanes = 256 / sizeof(Wide);
    p.counter = c.mask_counter_mode;
    if (p.counter) {
        p.count = c.mask_low;
        p.repeats = static_cast<uint32_t>((p.count + p.lanes - 1) / p.lanes);
    } else {
        p.repeats = repeat;
        p.mask_high = sizeof(Wide) >= 4 ? 0 : c.mask_high;
        p.mask_low = sizeof(Wide) == 8 ? (c.mask_low & 0xFFFFFFFFull) : c.mask_low;
    }
    return p;
}

// Count-form plan: counter mode over `count` contiguous elements; the call leaves the mask all-ones / NORMAL.
template <typename Wide>
inline LanePlan CountPlan(const char* api, int64_t count) {
    Core& c = Cur();
    if (count < 0) Fail(Format("%s: calCount = %lld must be >= 0%s", api, static_cast<long long>(count), c.Where().c_str()));
    c.ResetVectorState();
    LanePlan p{};
    p.lanes = 256 / sizeof(Wide);
    p.counter = true;
    p.count = static_cast<uint64_t>(count);
    p.repeats = static_cast<uint32_t>((p.count + p.lanes - 1) / p.lanes);
    return p;
}

template <typename T>
inline T Load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}
template <typename T>
inline void Store(uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof(T));
}

// Arithmetic per element type. half results saturate (CTRL[48] = 0 default): inf -> +-65504, NaN -> 0.
template <typename T>
struct Arith {
    // Integer overflow wraps (the A2/A3 behaviour is undocumented; int8 conv sums cannot overflow).
    static T Add(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
    static T Sub(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
    static T Mul(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }
    static T Max(T a, T b) { return a > b ? a : b; }
    static T Min(T a, T b) { return a < b ? a : b; }
};
template <>
struct Arith<float> {
    static float Add(float a, float b) { return a + b; }
    static float Sub(float a, float b) { return a - b; }
    static float Mul(float a, float b) { return a * b; }
    static float Max(float a, float b) { return a > b ? a : b; }
    static float Min(float a, float b) { return a < b ? a : b; }
};
template <>
struct Arith<half> {
    static half Round(float v) { return half::FromBits(FloatToHalfBits(v, Rounding::kRint, true)); }
    static half Add(half a, half b) { return Round(float(a) + float(b)); }
    static half Sub(half a, half b) { return Round(float(a) - float(b)); }
    static half Mul(half a, half b) { return Round(float(a) * float(b)); }
    static half Max(half a, half b) { return float(a) > float(b) ? a : b; }
    static half Min(half a, half b) { return float(a) < float(b) ? a : b; }
};

template <typename T>
constexpr bool kArithType = std::is_same<T, int16_t>::value || std::is_same<T, int32_t>::value ||
                            std::is_same<T, float>::value || std::is_same<T, half>::value;

template <typename T, typename F>
inline void Binary(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& s0,
                   const AscendC::LocalTensor<T>& s1, const LanePlan& plan, uint32_t dblk, uint32_t b0, uint32_t b1,
                   uint32_t drep, uint32_t r0, uint32_t r1, F op) {
    if (!RunsOnVector()) return;
    const VecOp ops[3] = {{dst.SimSpan(api, "dst"), sizeof(T), dblk, drep},
                          {s0.SimSpan(api, "src0"), sizeof(T), b0, r0},
                          {s1.SimSpan(api, "src1"), sizeof(T), b1, r1}};
    RunLanes(api, ops, plan, [&](uint8_t* const* p) { Store<T>(p[0], op(Load<T>(p[1]), Load<T>(p[2]))); });
}

template <typename T, typename F>
inline void Unary(const char* api, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src,
                  const LanePlan& plan, uint32_t dblk, uint32_t sblk, uint32_t drep, uint32_t srep, F op) {
    if (!RunsOnVector()) return;
    const VecOp ops[2] = {{dst.SimSpan(api, "dst"), sizeof(T), dblk, drep}, {src.SimSpan(api, "src"), sizeof(T), sblk, srep}};
    RunLanes(api, ops, plan, [&](uint8_t* const* p) { Store<T>(p[0], op(Load<T>(p[1]))); });
}

}  // namespace qconv::sim

namespace AscendC {

// ---- mask register (掩码操作/*.md) ----
template <typename T, MaskMode mode = MaskMode::NORMAL>
inline void SetVectorMask(const uint64_t maskHigh, const uint64_t maskLow) {
    if (!qconv::sim::RunsOnVector()) return;
    auto& c = qconv::sim::Cur();
    c.mask_high = maskHigh;
    c.mask_low = maskLow;
}
template <typename T, MaskMode mode = MaskMode::NORMAL>
inline void SetVectorMask(int32_t len) {
    if (!qconv::sim::RunsOnVector()) return;
    auto& c = qconv::sim::Cur();
    if (mode == MaskMode::COUNTER) {
        c.mask_high = 0;
        c.mask_low = static_cast<uint64_t>(len);
    } else {
        qconv::sim::ContinuousMask<T>(static_cast<uint64_t>(len < 0 ? 0 : len), &c.mask_high, &c.mask_low);
    }
}
inline void ResetMask() {
    if (!qconv::sim::RunsOnVector()) return;
    auto& c = qconv::sim::Cur();
    c.mask_high = c.mask_low = ~0ULL;
}
inline void SetMaskCount() {
    if (qconv::sim::RunsOnVector()) qconv::sim::Cur().mask_counter_mode = true;
}
inline void SetMaskNorm() {
    if (qconv::sim::RunsOnVector()) qconv::sim::Cur().mask_counter_mode = false;
}

// ---- binary ops: Add / Sub / Mul / Max / Min (Add.md, Sub.md, Mul.md, Max.md, Min.md), And / Or (And.md, Or.md) ----
#define QCONV_SIM_BINARY(NAME, TYPECHECK, EXPR)                                                                        \
    template <typename T, bool isSetMask = true>                                                                      \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,               \
                     uint64_t mask[], const uint8_t repeatTimes, const BinaryRepeatParams& rp) {                      \
        static_assert(TYPECHECK, #NAME ": unsupported element type");                                                 \
        const auto plan = qconv::sim::RepeatPlan<T>(isSetMask, mask[1], mask[0], repeatTimes);                       \
        qconv::sim::Binary<T>(#NAME, dst, src0, src1, plan, rp.dstBlkStride, rp.src0BlkStride, rp.src1BlkStride,       \
                              rp.dstRepStride, rp.src0RepStride, rp.src1RepStride, [](T a, T b) { return EXPR; });    \
    }                                                                                                                 \
    template <typename T, bool isSetMask = true>                                                                      \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,               \
                     uint64_t mask, const uint8_t repeatTimes, const BinaryRepeatParams& rp) {                        \
        static_assert(TYPECHECK, #NAME ": unsupported element type");                                                 \
        uint64_t hi = 0, lo = 0;                                                                                      \
        qconv::sim::ContinuousMask<T>(mask, &hi, &lo);                                                                \
        const auto plan = qconv::sim::RepeatPlan<T>(isSetMask, hi, lo, repeatTimes);                                 \
        qconv::sim::Binary<T>(#NAME, dst, src0, src1, plan, rp.dstBlkStride, rp.src0BlkStride, rp.src1BlkStride,       \
                              rp.dstRepStride, rp.src0RepStride, rp.src1RepStride, [](T a, T b) { return EXPR; });    \
    }                                                                                                                 \
    template <typename T>                                                                                             \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,               \
                     const int32_t& calCount) {                                                                       \
        static_assert(TYPECHECK, #NAME ": unsupported element type");                                                 \
        if (!qconv::sim::RunsOnVector()) return;                                                                      \
        const auto plan = qconv::sim::CountPlan<T>(#NAME, calCount);                                                  \
        const uint32_t rep = 256 / 32;                                                                                \
        qconv::sim::Binary<T>(#NAME, dst, src0, src1, plan, 1, 1, 1, rep, rep, rep, [](T a, T b) { return EXPR; });   \
    }

QCONV_SIM_BINARY(Add, qconv::sim::kArithType<T>, qconv::sim::Arith<T>::Add(a, b))
QCONV_SIM_BINARY(Sub, qconv::sim::kArithType<T>, qconv::sim::Arith<T>::Sub(a, b))
QCONV_SIM_BINARY(Mul, qconv::sim::kArithType<T>, qconv::sim::Arith<T>::Mul(a, b))
QCONV_SIM_BINARY(Max, qconv::sim::kArithType<T>, qconv::sim::Arith<T>::Max(a, b))
QCONV_SIM_BINARY(Min, qconv::sim::kArithType<T>, qconv::sim::Arith<T>::Min(a, b))
QCONV_SIM_BINARY(And, (std::is_same<T, int16_t>::value || std::is_same<T, uint16_t>::value), static_cast<T>(a & b))
QCONV_SIM_BINARY(Or, (std::is_same<T, int16_t>::value || std::is_same<T, uint16_t>::value), static_cast<T>(a | b))
#undef QCONV_SIM_BINARY

// ---- tensor-scalar ops: Adds / Muls / Maxs / Mins (Adds.md, Muls.md, Maxs.md, Mins.md) ----
#define QCONV_SIM_SCALAR(NAME, EXPR)                                                                                  \
    template <typename T, bool isSetMask = true>                                                                      \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, uint64_t mask[],     \
                     const uint8_t repeatTimes, const UnaryRepeatParams& rp) {                                        \
        static_assert(qconv::sim::kArithType<T>, #NAME ": unsupported element type");                                 \
        const auto plan = qconv::sim::RepeatPlan<T>(isSetMask, mask[1], mask[0], repeatTimes);                       \
        const T b = scalarValue;                                                                                      \
        qconv::sim::Unary<T>(#NAME, dst, src, plan, rp.dstBlkStride, rp.srcBlkStride, rp.dstRepStride,                \
                             rp.srcRepStride, [b](T a) { return EXPR; });                                             \
    }                                                                                                                 \
    template <typename T, bool isSetMask = true>                                                                      \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, uint64_t mask,       \
                     const uint8_t repeatTimes, const UnaryRepeatParams& rp) {                                        \
        static_assert(qconv::sim::kArithType<T>, #NAME ": unsupported element type");                                 \
        uint64_t hi = 0, lo = 0;                                                                                      \
        qconv::sim::ContinuousMask<T>(mask, &hi, &lo);                                                                \
        const auto plan = qconv::sim::RepeatPlan<T>(isSetMask, hi, lo, repeatTimes);                                 \
        const T b = scalarValue;                                                                                      \
        qconv::sim::Unary<T>(#NAME, dst, src, plan, rp.dstBlkStride, rp.srcBlkStride, rp.dstRepStride,                \
                             rp.srcRepStride, [b](T a) { return EXPR; });                                             \
    }                                                                                                                 \
    template <typename T>                                                                                             \
    inline void NAME(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue,                      \
                     const int32_t& calCount) {                                                                       \
        static_assert(qconv::sim::kArithType<T>, #NAME ": unsupported element type");                                 \
        if (!qconv::sim::RunsOnVector()) return;                                                                      \
        const auto plan = qconv::sim::CountPlan<T>(#NAME, calCount);                                                  \
        const T b = scalarValue;                                                                                      \
        qconv::sim::Unary<T>(#NAME, dst, src, plan, 1, 1, 8, 8, [b](T a) { return EXPR; });                           \
    }

QCONV_SIM_SCALAR(Adds, qconv::sim::Arith<T>::Add(a, b))
QCONV_SIM_SCALAR(Muls, qconv::sim::Arith<T>::Mul(a, b))
QCONV_SIM_SCALAR(Maxs, qconv::sim::Arith<T>::Max(a, b))
QCONV_SIM_SCALAR(Mins, qconv::sim::Arith<T>::Min(a, b))
#undef QCONV_SIM_SCALAR

// ---- Duplicate (Duplicate.md) ----
template <typename T>
constexpr bool kDupType = sizeof(T) == 2 || sizeof(T) == 4;

template <typename T, bool isSetMask = true>
inline void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, uint64_t mask[], const uint8_t repeatTimes,
                      const uint16_t dstBlockStride, const uint8_t dstRepeatStride) {
    static_assert(kDupType<T>, "Duplicate: 16- or 32-bit element types");
    if (!qconv::sim::RunsOnVector()) return;
    const auto plan = qconv::sim::RepeatPlan<T>(isSetMask, mask[1], mask[0], repeatTimes);
    const qconv::sim::VecOp ops[1] = {{dst.SimSpan("Duplicate", "dst"), sizeof(T), dstBlockStride, dstRepeatStride}};
    const T v = scalarValue;
    qconv::sim::RunLanes("Duplicate", ops, plan, [v](uint8_t* const* p) { qconv::sim::Store<T>(p[0], v); });
}
template <typename T, bool isSetMask = true>
inline void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, uint64_t mask, const uint8_t repeatTimes,
                      const uint16_t dstBlockStride, const uint8_t dstRepeatStride) {
    uint64_t m[2];
    qconv::sim::ContinuousMask<T>(mask, &m[1], &m[0]);
    Duplicate<T, isSetMask>(dst, scalarValue, m, repeatTimes, dstBlockStride, dstRepeatStride);
}
template <typename T>
inline void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, const int32_t& calCount) {
    static_assert(kDupType<T>, "Duplicate: 16- or 32-bit element types");
    if (!qconv::sim::RunsOnVector()) return;
    const auto plan = qconv::sim::CountPlan<T>("Duplicate", calCount);
    const qconv::sim::VecOp ops[1] = {{dst.SimSpan("Duplicate", "dst"), sizeof(T), 1, 8}};
    const T v = scalarValue;
    qconv::sim::RunLanes("Duplicate", ops, plan, [v](uint8_t* const* p) { qconv::sim::Store<T>(p[0], v); });
}

}  // namespace AscendC
