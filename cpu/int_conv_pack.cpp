// The reduction plan and the weight packing of the integer convolution (int_conv.h).
#include <cstring>
#include <type_traits>

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

namespace {

// Channel `lane` of block b: element r of segment s goes to step r / Lanes, position r % Lanes.
template <int Lanes>
void pack_channel(const int8_t* wc, const ReductionPlan& plan, uint8_t* block, int64_t lane) {
  using Elem = std::conditional_t<Lanes == 2, int16_t, int8_t>;
  const int64_t taps = plan.kh * plan.kw;
  for (int64_t s = 0; s < plan.segments; ++s) {
    uint8_t* seg = block + (s * plan.groups * kCoutBlock + lane) * kGroupBytes;
    int64_t r = 0;
    const auto put = [&](int8_t value) {
      const Elem e = value;
      std::memcpy(seg + r / Lanes * kCoutBlock * kGroupBytes + r % Lanes * sizeof(Elem), &e, sizeof e);
      ++r;
    };
    if (plan.merged) {   // a kernel row: (kernel column, channel) pairs, channel fastest
      for (int64_t col = 0; col < plan.kw; ++col)
        for (int64_t ci = 0; ci < plan.cin; ++ci) put(wc[ci * taps + s * plan.kw + col]);
    } else {             // one tap: its channels
      for (int64_t ci = 0; ci < plan.cin; ++ci) put(wc[ci * taps + s]);
    }
  }
}

}  // namespace

void pack_weight(const int8_t* w, int64_t cout, const ReductionPlan& plan, uint8_t* packed) {
  const int64_t blocks = channel_blocks(cout), k = plan.cin * plan.kh * plan.kw;
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
  std::memset(weights, 0, static_cast<size_t>(blocks * block_bytes));   // channels >= cout, run tails
  for (int64_t co = 0; co < cout; ++co) {
    uint8_t* block = weights + co / kCoutBlock * block_bytes;
    if (plan.kind == IntKernel::kPairs) pack_channel<2>(w + co * k, plan, block, co % kCoutBlock);
    else pack_channel<4>(w + co * k, plan, block, co % kCoutBlock);
  }
}

}  // namespace qconv::cpu
