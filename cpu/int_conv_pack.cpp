// The reduction plan and the weight packing of the integer convolution (int_conv.h).
#include <cstring>

#include "int_conv.h"

namespace qconv::cpu {

ReductionPlan plan_reduction(IntKernel kind, int64_t cin, int64_t kh, int64_t kw, int64_t dh, int64_t dw) {
  ReductionPlan plan{kind, cin, kh, kw, dh, dw, dw == 1, 0, 0, 0};
  plan.segments = plan.merged ? kh : kh * kw;
  plan.run = plan.merged ? kw * cin : cin;
  plan.groups = (plan.run + plan.lanes() - 1) / plan.lanes();
  return plan;
}

namespace {
int64_t channel_blocks(int64_t cout) { return (cout + kCoutBlock - 1) / kCoutBlock; }
}  // namespace

int64_t packed_weight_bytes(int64_t cout, const ReductionPlan& plan) {
  return channel_blocks(cout) * kCoutBlock * (4 + plan.kgroups() * kGroupBytes);
}

void pack_weight(const int8_t* w, int64_t cout, const ReductionPlan& plan, uint8_t* packed) {
  const int64_t blocks = channel_blocks(cout), lanes = plan.lanes(), taps = plan.kh * plan.kw;
  const int64_t k = plan.cin * taps;
  const auto correction = reinterpret_cast<int32_t*>(packed);
  uint8_t* weights = packed + blocks * kCoutBlock * 4;
  for (int64_t co = 0; co < blocks * kCoutBlock; ++co) {
    uint32_t sum = 0;
    if (plan.kind == IntKernel::kQuads && co < cout)
      for (int64_t i = 0; i < k; ++i) sum += static_cast<uint32_t>(static_cast<int32_t>(w[co * k + i]));
    const auto value = static_cast<int32_t>(0u - 128u * sum);
    std::memcpy(correction + co, &value, sizeof value);
  }
  const int64_t block_bytes = plan.kgroups() * kCoutBlock * kGroupBytes;
#pragma omp parallel for schedule(static) if (blocks > 1 && blocks * block_bytes >= (1 << 18))
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* dst = weights + b * block_bytes;
    for (int64_t s = 0; s < plan.segments; ++s)
      for (int64_t j = 0; j < plan.groups; ++j)
        for (int64_t lane = 0; lane < kCoutBlock; ++lane)
          for (int64_t e = 0; e < lanes; ++e) {
            const int64_t co = b * kCoutBlock + lane, r = lanes * j + e;
            int8_t value = 0;
            if (co < cout && r < plan.run) {
              // Element r of segment s: merged runs are (kernel column, channel) pairs of kernel row s.
              const int64_t row = plan.merged ? s : s / plan.kw;
              const int64_t col = plan.merged ? r / plan.cin : s % plan.kw;
              const int64_t ci = plan.merged ? r % plan.cin : r;
              value = w[(co * plan.cin + ci) * taps + row * plan.kw + col];
            }
            if (plan.kind == IntKernel::kPairs) {
              const auto wide = static_cast<int16_t>(value);
              std::memcpy(dst, &wide, sizeof wide);
              dst += sizeof wide;
            } else {
              std::memcpy(dst, &value, 1);
              dst += 1;
            }
          }
  }
}

}  // namespace qconv::cpu
