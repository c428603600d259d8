// Scalar element access on LocalTensor (UB only) and GlobalTensor: PIPE_S instructions
// (LocalTensor/GetValue.md, SetValue.md; GlobalTensor/GetValue.md, SetValue.md). Reading undefined
// memory returns its stale bytes, as on hardware; a SetValue makes its bytes defined.
#pragma once

#include <cstring>

#include "sim/tensor.h"

namespace qconv::sim {

template <typename T>
inline T ScalarRead(const char* api, const Span& s, uint64_t index) {
    Core& c = Cur();
    CheckSpan(api, "element", s, index * sizeof(T), sizeof(T));
    c.Issue(Pipe::kS, 0, 1);
    const uint64_t off = s.off + index * sizeof(T);
    c.CheckRead(Pipe::kS, *s.region, off, sizeof(T), api);
    T v;
    std::memcpy(&v, s.region->data + off, sizeof(T));
    return v;
}

template <typename T>
inline void ScalarWrite(const char* api, const Span& s, uint64_t index, T v) {
    Core& c = Cur();
    CheckSpan(api, "element", s, index * sizeof(T), sizeof(T));
    c.Issue(Pipe::kS, sizeof(T), 1);
    const uint64_t off = s.off + index * sizeof(T);
    std::memcpy(s.region->data + off, &v, sizeof(T));
    s.region->SetPoison(off, sizeof(T), 0);
    c.MarkWrite(Pipe::kS, *s.region, off, sizeof(T), InternName(api));
}

}  // namespace qconv::sim

namespace AscendC {

template <typename T>
inline T LocalTensor<T>::GetValue(uint32_t offset) const {
    if (mem_ != qconv::sim::Mem::kUb) {
        qconv::sim::Fail(qconv::sim::Format("LocalTensor::GetValue: scalar access needs a UB tensor, this one is in %s%s",
                                            qconv::sim::MemName(mem_), qconv::sim::Cur().Where().c_str()));
    }
    return qconv::sim::ScalarRead<T>("LocalTensor::GetValue", SimSpan("LocalTensor::GetValue", "tensor"), offset);
}
template <typename T>
inline void LocalTensor<T>::SetValue(uint32_t offset, T value) const {
    if (mem_ != qconv::sim::Mem::kUb) {
        qconv::sim::Fail(qconv::sim::Format("LocalTensor::SetValue: scalar access needs a UB tensor, this one is in %s%s",
                                            qconv::sim::MemName(mem_), qconv::sim::Cur().Where().c_str()));
    }
    qconv::sim::ScalarWrite<T>("LocalTensor::SetValue", SimSpan("LocalTensor::SetValue", "tensor"), offset, value);
}
template <typename T>
inline T GlobalTensor<T>::GetValue(uint64_t offset) const {
    return qconv::sim::ScalarRead<T>("GlobalTensor::GetValue", SimSpan("GlobalTensor::GetValue"), offset);
}
template <typename T>
inline void GlobalTensor<T>::SetValue(uint64_t offset, T value) const {
    qconv::sim::ScalarWrite<T>("GlobalTensor::SetValue", SimSpan("GlobalTensor::SetValue"), offset, value);
}

}  // namespace AscendC
