// Cast (Memory矢量计算/类型转换/Cast.md; rounding rules 数据结构/precision_conversion.md): the conversions the
// dequant path and the 2002 fmap gather use, with each arch's allowed rounding modes. An unsupported (arch,
// mode) pair is a silent no-op on the NPU; the twin stops the run instead.
#pragma once

#include <cstdint>
#include <type_traits>

#include "sim/half.h"
#include "sim/vector.h"

namespace qconv::sim {

inline Rounding RoundingOf(AscendC::RoundMode m) { return static_cast<Rounding>(static_cast<uint8_t>(m)); }

inline const char* RoundModeName(AscendC::RoundMode m) {
    static const char* const kNames[] = {"CAST_NONE", "CAST_RINT", "CAST_FLOOR", "CAST_CEIL",
                                         "CAST_ROUND", "CAST_TRUNC", "CAST_ODD"};
    const auto i = static_cast<uint8_t>(m);
    return i < 7 ? kNames[i] : "?";
}

template <typename D, typename S>
inline void CheckCastMode(AscendC::RoundMode m) {
    using AscendC::RoundMode;
    const bool arch2002 = __NPU_ARCH__ == 2002;
    bool ok = false;
    const char* allowed = "";
    if (std::is_same<D, float>::value && std::is_same<S, int32_t>::value) {
        ok = arch2002 ? m == RoundMode::CAST_NONE : m != RoundMode::CAST_ODD;
        allowed = arch2002 ? "CAST_NONE" : "CAST_NONE, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC";
    } else if (std::is_same<D, half>::value && std::is_same<S, float>::value) {
        ok = arch2002 ? (m == RoundMode::CAST_NONE || m == RoundMode::CAST_ODD) : true;
        allowed = arch2002 ? "CAST_NONE, CAST_ODD" : "any";
    } else if (std::is_same<D, float>::value && std::is_same<S, half>::value) {
        ok = m == RoundMode::CAST_NONE;
        allowed = "CAST_NONE";
    } else if (std::is_same<D, half>::value && std::is_same<S, int8_t>::value) {
        // Cast.md: CAST_NONE only, on both arches (the A2 and the Atlas 推理系列产品 AI Core tables).
        ok = m == RoundMode::CAST_NONE;
        allowed = "CAST_NONE";
    } else if (std::is_same<D, int8_t>::value && std::is_same<S, half>::value) {
        // Cast.md: the A2 table allows every mode but CAST_ODD; the Atlas 推理系列产品 AI Core table has no CAST_RINT.
        ok = m != RoundMode::CAST_ODD && !(arch2002 && m == RoundMode::CAST_RINT);
        allowed = arch2002 ? "CAST_NONE, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC"
                           : "CAST_NONE, CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC";
    } else if (std::is_same<D, int32_t>::value && std::is_same<S, float>::value) {
        ok = !arch2002 && m != RoundMode::CAST_NONE && m != RoundMode::CAST_ODD;
        allowed = arch2002 ? "none on arch 2002" : "CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC";
    }
    if (!ok) {
        Fail(Format("Cast: round_mode = %s is not supported for this conversion on arch %u (allowed: %s); the NPU "
                    "would silently skip the instruction%s",
                    RoundModeName(m), static_cast<unsigned>(__NPU_ARCH__), allowed, Cur().Where().c_str()));
    }
}

template <typename D, typename S>
inline D Convert(S v, Rounding r) {
    if constexpr (std::is_same<D, float>::value && std::is_same<S, int32_t>::value) {
        return Int32ToFloat(v, r);
    } else if constexpr (std::is_same<D, half>::value && std::is_same<S, float>::value) {
        return half::FromBits(FloatToHalfBits(v, r, true));
    } else if constexpr (std::is_same<D, float>::value && std::is_same<S, half>::value) {
        return static_cast<float>(v);
    } else if constexpr (std::is_same<D, half>::value && std::is_same<S, int8_t>::value) {
        return half(static_cast<float>(v));  // exact
    } else if constexpr (std::is_same<D, int8_t>::value && std::is_same<S, half>::value) {
        // Cast.md does not say what a value outside int8 becomes (saturation or wrap): the twin refuses it.
        const int32_t rounded = FloatToInt32(static_cast<float>(v), r);
        if (rounded < -128 || rounded > 127) {
            Fail(Format("Cast: half %g rounds to %d, outside int8_t; Cast.md does not state the result%s",
                        static_cast<double>(static_cast<float>(v)), rounded, Cur().Where().c_str()));
        }
        return static_cast<int8_t>(rounded);
    } else {
        static_assert(std::is_same<D, int32_t>::value && std::is_same<S, float>::value,
                      "Cast: the twin models int32->float, float->half, half->float, float->int32, int8->half and half->int8");
        return FloatToInt32(v, r);
    }
}

template <typename D, typename S>
inline void RunCast(const AscendC::LocalTensor<D>& dst, const AscendC::LocalTensor<S>& src, AscendC::RoundMode mode,
                    const LanePlan& plan, uint32_t dblk, uint32_t sblk, uint32_t drep, uint32_t srep) {
    CheckCastMode<D, S>(mode);
    const Rounding r = RoundingOf(mode);
    const VecOp ops[2] = {{dst.SimSpan("Cast", "dst"), sizeof(D), dblk, drep}, {src.SimSpan("Cast", "src"), sizeof(S), sblk, srep}};
    RunLanes("Cast", ops, plan, [r](uint8_t* const* p) { Store<D>(p[0], Convert<D, S>(Load<S>(p[1]), r)); });
}

template <typename A, typename B>
using Wider = std::conditional_t<(sizeof(A) >= sizeof(B)), A, B>;

}  // namespace qconv::sim

namespace AscendC {

template <typename T1, typename T2>
inline void Cast(const LocalTensor<T1>& dst, const LocalTensor<T2>& src, const RoundMode& round_mode,
                 const uint32_t calCount) {
    if (!qconv::sim::RunsOnVector()) return;
    using W = qconv::sim::Wider<T1, T2>;
    const auto plan = qconv::sim::CountPlan<W>("Cast", calCount);
    const uint32_t lanes = 256 / sizeof(W);
    qconv::sim::RunCast(dst, src, round_mode, plan, 1, 1, lanes * sizeof(T1) / 32, lanes * sizeof(T2) / 32);
}
template <typename T1, typename T2, bool isSetMask = true>
inline void Cast(const LocalTensor<T1>& dst, const LocalTensor<T2>& src, const RoundMode& round_mode,
                 const uint64_t mask[], const uint8_t repeatTimes, const UnaryRepeatParams& rp) {
    if (!qconv::sim::RunsOnVector()) return;
    using W = qconv::sim::Wider<T1, T2>;
    const auto plan = qconv::sim::RepeatPlan<W>(isSetMask, mask[1], mask[0], repeatTimes);
    qconv::sim::RunCast(dst, src, round_mode, plan, rp.dstBlkStride, rp.srcBlkStride, rp.dstRepStride, rp.srcRepStride);
}
template <typename T1, typename T2, bool isSetMask = true>
inline void Cast(const LocalTensor<T1>& dst, const LocalTensor<T2>& src, const RoundMode& round_mode,
                 const uint64_t mask, const uint8_t repeatTimes, const UnaryRepeatParams& rp) {
    if (!qconv::sim::RunsOnVector()) return;
    using W = qconv::sim::Wider<T1, T2>;
    uint64_t hi = 0, lo = 0;
    qconv::sim::ContinuousMask<W>(mask, &hi, &lo);
    const auto plan = qconv::sim::RepeatPlan<W>(isSetMask, hi, lo, repeatTimes);
    qconv::sim::RunCast(dst, src, round_mode, plan, rp.dstBlkStride, rp.srcBlkStride, rp.dstRepStride, rp.srcRepStride);
}

}  // namespace AscendC
