// Portable float32 -> float16 conversion, round to nearest even (the scalar twin of F16C's
// _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT)).
#pragma once

#include <cstdint>
#include <cstring>

namespace qconv::cpu {

inline uint16_t float_to_half_rne(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t sign = (u >> 16) & 0x8000u;
  u &= 0x7fffffffu;
  if (u >= 0x47800000u) {  // >= 2^16 (or inf/nan): beyond every finite half
    return static_cast<uint16_t>(sign | (u > 0x7f800000u ? 0x7e00u : 0x7c00u));
  }
  if (u < 0x38800000u) {  // below the smallest normal half: adding 0.5f rounds (RNE) to 2^-24 units
    float a;
    std::memcpy(&a, &u, sizeof a);
    a += 0.5f;
    uint32_t bits;
    std::memcpy(&bits, &a, sizeof bits);
    return static_cast<uint16_t>(sign | (bits - 0x3f000000u));
  }
  const uint32_t odd = (u >> 13) & 1u;  // ties go to the even mantissa
  u += 0xc8000fffu + odd;               // rebias the exponent (-112 << 23, mod 2^32) and round
  return static_cast<uint16_t>(sign | (u >> 13));
}

inline constexpr float kHalfMax = 65504.0f;

// The golden's dequant of one accumulator: float32(acc) (RNE) * scale (float32, RNE), clamped to
// +-65504, then float16 RNE.
inline uint16_t finish_scalar(int32_t acc, float scale) {
  const float y = static_cast<float>(acc) * scale;
  return float_to_half_rne(y < -kHalfMax ? -kHalfMax : (y > kHalfMax ? kHalfMax : y));
}

}  // namespace qconv::cpu
