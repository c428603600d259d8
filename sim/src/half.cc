// Conversions follow mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/数据结构/precision_conversion.md (rounding modes) and
// SetCtrlSpr(ISASI).md (CTRL[48] = 0: saturate inf to +-max, NaN to 0).
#include "sim/half.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace qconv::sim {
namespace {

uint32_t FloatBits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

// Rounds the magnitude `value >> shift` by mode; negative tells the sign for FLOOR/CEIL.
uint64_t RoundShift(uint64_t value, int shift, Rounding mode, bool negative) {
    if (shift <= 0) return value << (-shift);
    if (shift > 64) shift = 64;  // everything is remainder
    const uint64_t q = shift >= 64 ? 0 : value >> shift;
    const uint64_t rem = shift >= 64 ? value : value & ((uint64_t{1} << shift) - 1);
    const uint64_t half_unit = shift >= 64 ? (uint64_t{1} << 63) : (uint64_t{1} << (shift - 1));
    const bool inexact = rem != 0;
    switch (mode) {
        case Rounding::kNone:
        case Rounding::kRint:
            if (rem > half_unit || (rem == half_unit && (q & 1))) return q + 1;
            return q;
        case Rounding::kRound:
            return rem >= half_unit && inexact ? q + 1 : q;
        case Rounding::kTrunc:
            return q;
        case Rounding::kFloor:
            return (negative && inexact) ? q + 1 : q;
        case Rounding::kCeil:
            return (!negative && inexact) ? q + 1 : q;
        case Rounding::kOdd:
            return inexact ? (q | 1) : q;
    }
    return q;
}

}  // namespace

uint16_t FloatToHalfBits(float value, Rounding mode, bool saturate) {
    const uint32_t x = FloatBits(value);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    const uint32_t exp = (x >> 23) & 0xFF;
    const uint32_t mant = x & 0x7FFFFF;
    const uint16_t max_bits = static_cast<uint16_t>(sign | 0x7BFF);
    if (exp == 0xFF) {
        if (mant != 0) return saturate ? 0 : static_cast<uint16_t>(sign | 0x7E00);
        return saturate ? max_bits : static_cast<uint16_t>(sign | 0x7C00);
    }
    if (exp == 0 && mant == 0) return sign;
    // value = sig * 2^(e - 23)
    const uint64_t sig = exp != 0 ? (mant | 0x800000u) : mant;
    const int e = exp != 0 ? static_cast<int>(exp) - 127 : -126;
    // Normal half: sig has its leading 1 at bit 23 -> keep 11 bits. Subnormal half (e < -14): units of 2^-24.
    int shift;
    int unbiased;
    if (exp == 0) {
        shift = 13 + (-14 - e);  // float subnormals are far below half's range
        unbiased = -15;
    } else if (e < -14) {
        shift = 13 + (-14 - e);
        unbiased = -15;
    } else {
        shift = 13;
        unbiased = e;
    }
    const bool negative = sign != 0;
    uint64_t h = RoundShift(sig, shift, mode, negative);
    uint32_t bits;
    if (unbiased == -15) {
        bits = static_cast<uint32_t>(h);  // 0x400 after rounding up is the smallest normal
    } else {
        bits = static_cast<uint32_t>(((unbiased + 15) << 10) + h - 1024);
    }
    if (bits >= 0x7C00) {
        if (saturate) return max_bits;
        // Directed modes that round toward zero stop at max.
        const bool to_max = mode == Rounding::kTrunc || mode == Rounding::kOdd ||
                            (mode == Rounding::kFloor && !negative) || (mode == Rounding::kCeil && negative);
        return to_max ? max_bits : static_cast<uint16_t>(sign | 0x7C00);
    }
    return static_cast<uint16_t>(sign | bits);
}

float HalfBitsToFloat(uint16_t bits) {
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
    const uint32_t exp = (bits >> 10) & 0x1F;
    const uint32_t mant = bits & 0x3FF;
    uint32_t out;
    if (exp == 0x1F) {
        out = sign | 0x7F800000u | (mant << 13);
    } else if (exp == 0) {
        if (mant == 0) {
            out = sign;
        } else {
            const float v = std::ldexp(static_cast<float>(mant), -24);
            std::memcpy(&out, &v, 4);
            out |= sign;
        }
    } else {
        out = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &out, 4);
    return f;
}

float Int32ToFloat(int32_t value, Rounding mode) {
    const bool negative = value < 0;
    uint64_t mag = negative ? static_cast<uint64_t>(-static_cast<int64_t>(value)) : static_cast<uint64_t>(value);
    if (mag == 0) return 0.0f;
    int msb = 63 - __builtin_clzll(mag);
    const int shift = msb > 23 ? msb - 23 : 0;
    uint64_t q = RoundShift(mag, shift, mode, negative);
    const float f = std::ldexp(static_cast<float>(q), shift);  // q <= 2^24: exact
    return negative ? -f : f;
}

int32_t FloatToInt32(float value, Rounding mode) {
    if (std::isnan(value)) return 0;
    double r;
    switch (mode) {
        case Rounding::kFloor: r = std::floor(value); break;
        case Rounding::kCeil: r = std::ceil(value); break;
        case Rounding::kRound: r = std::round(value); break;
        case Rounding::kTrunc: r = std::trunc(value); break;
        default: r = std::nearbyint(static_cast<double>(value)); break;
    }
    if (r >= 2147483647.0) return std::numeric_limits<int32_t>::max();
    if (r <= -2147483648.0) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(r);
}

}  // namespace qconv::sim
