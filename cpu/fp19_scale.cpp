// The fp19 scale decode of kernels.h, so that the CPU op needs no torch ops to read a scale.
#include <cstring>

#include "kernels.h"

namespace qconv::cpu {

int64_t fp19_scale(const void* scale, bool is_int64, int64_t n, float* out) {
  int64_t first_bad = -1;
  for (int64_t c = 0; c < n; ++c) {
    uint32_t bits;
    if (is_int64) {
      uint64_t word;
      std::memcpy(&word, static_cast<const char*>(scale) + c * 8, sizeof word);
      bits = static_cast<uint32_t>(word);
    } else {
      std::memcpy(&bits, static_cast<const char*>(scale) + c * 4, sizeof bits);
    }
    bits &= 0xFFFFE000u;
    std::memcpy(out + c, &bits, sizeof bits);
    if (first_bad < 0 && (bits & 0x7F800000u) == 0x7F800000u) first_bad = c;
  }
  return first_bad;
}

}  // namespace qconv::cpu
