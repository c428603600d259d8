// Helpers for the twin's tests: run a body on a small launch and build GM buffers.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "kernel_operator.h"
#include "sim/launch.h"
#include "test_socs.h"

namespace simtest {

inline qconv::SocSpec TestSoc(uint32_t cores = 1) {
#if __NPU_ARCH__ == 2201
    return Soc2201(cores);
#else
    return Soc2002(cores);
#endif
}

template <typename T>
inline qconv::sim::GmBuffer In(const char* name, std::vector<T>& v) {
    return {name, v.data(), v.size() * sizeof(T), qconv::sim::GmRole::kInput};
}
template <typename T>
inline qconv::sim::GmBuffer Out(const char* name, std::vector<T>& v) {
    return {name, v.data(), v.size() * sizeof(T), qconv::sim::GmRole::kOutput};
}
template <typename T>
inline qconv::sim::GmBuffer Ws(const char* name, std::vector<T>& v) {
    return {name, v.data(), v.size() * sizeof(T), qconv::sim::GmRole::kWorkspace};
}

inline qconv::sim::LaunchResult Run(const std::function<void()>& body, std::vector<qconv::sim::GmBuffer> args,
                                    uint32_t blocks = 1) {
    return qconv::sim::LaunchBody(TestSoc(blocks), blocks, body, std::move(args), __NPU_ARCH__);
}

// True on the core that runs vector code in these tests: the first AIV (2201) or the AI core (2002).
inline bool VectorCore0() {
#if __NPU_ARCH__ == 2201
    return ASCEND_IS_AIV && AscendC::GetBlockIdx() == 0;
#else
    return AscendC::GetBlockIdx() == 0;
#endif
}
inline bool CubeCore0() {
#if __NPU_ARCH__ == 2201
    return ASCEND_IS_AIC && AscendC::GetBlockIdx() == 0;
#else
    return AscendC::GetBlockIdx() == 0;
#endif
}

// The flag pairs a vector test needs around its compute: MTE2 -> V after a load, V -> MTE3 before a store.
inline void InSync() {
    AscendC::SetFlag<AscendC::HardEvent::MTE2_V>(0);
    AscendC::WaitFlag<AscendC::HardEvent::MTE2_V>(0);
}
inline void OutSync() {
    AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(0);
    AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(0);
}

// Simple deterministic generator for test data.
struct Lcg {
    uint32_t s;
    explicit Lcg(uint32_t seed) : s(seed) {}
    uint32_t Next() {
        s = s * 1664525u + 1013904223u;
        return s >> 8;
    }
    int8_t I8() { return static_cast<int8_t>(Next() & 0xFF); }
};

}  // namespace simtest
