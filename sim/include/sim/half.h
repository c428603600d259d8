// IEEE binary16 storage type `half` as Ascend C kernels spell it, with the conversions the vector unit
// performs. Rounding rules follow the Cast doc page (mirror-cann/asc-devkit
// docs/zh/api/SIMD-API/基础API/数据结构/precision_conversion.md).
#pragma once

#include <cstdint>
#include <cstring>

namespace qconv::sim {

// Rounding modes as RoundMode enumerates them (AscendC::RoundMode maps onto these values).
enum class Rounding : uint8_t { kNone = 0, kRint, kFloor, kCeil, kRound, kTrunc, kOdd };

// float32 -> binary16 bits. saturate: results beyond +-65504 (and inf) become +-65504, NaN becomes +0,
// as the A2/A3 default CTRL[48] = 0 does.
uint16_t FloatToHalfBits(float value, Rounding mode, bool saturate);
float HalfBitsToFloat(uint16_t bits);
// int32 -> float32 with an explicit rounding mode (kNone = kRint).
float Int32ToFloat(int32_t value, Rounding mode);
// float32 -> int32, saturating, NaN -> 0.
int32_t FloatToInt32(float value, Rounding mode);

}  // namespace qconv::sim

// The kernel-visible half type (CPU-debug builds define a class of this name too).
struct half {
    uint16_t bits = 0;
    half() = default;
    half(float v) : bits(qconv::sim::FloatToHalfBits(v, qconv::sim::Rounding::kRint, false)) {}  // NOLINT
    half(double v) : half(static_cast<float>(v)) {}  // NOLINT
    half(int v) : half(static_cast<float>(v)) {}  // NOLINT
    operator float() const { return qconv::sim::HalfBitsToFloat(bits); }  // NOLINT
    static half FromBits(uint16_t b) {
        half h;
        h.bits = b;
        return h;
    }
};
static_assert(sizeof(half) == 2, "half must be 2 bytes");
