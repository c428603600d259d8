// Scalar element access on LocalTensor (UB only) and GlobalTensor: PIPE_S instructions
// (LocalTensor/GetValue.md, SetValue.md; GlobalTensor/GetValue.md, SetValue.md). Reading undefined
// memory returns its stale bytes, as on hardware; a SetValue makes its bytes defined.
#pragma once

#include <cstring>

#include "sim/dcache.h"
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
    if (s.region->mem == Mem::kGm && DcacheModelled(c) && DcacheLoad(c, *s.region, off, &v, sizeof(T))) return v;
    std::memcpy(&v, s.region->data + off, sizeof(T));
    return v;
}

template <typename T>
inline void ScalarWrite(const char* api, const Span& s, uint64_t index, T v) {
    Core& c = Cur();
    CheckSpan(api, "element", s, index * sizeof(T), sizeof(T));
    c.Issue(Pipe::kS, sizeof(T), 1);
    const uint64_t off = s.off + index * sizeof(T);
    if (s.region->mem == Mem::kGm && DcacheModelled(c)) {
        // Arch 2002: into the core's DCache; GM sees the whole line at a later write-back (sim/dcache.h).
        DcacheStore(c, *s.region, off, &v, sizeof(T));
        return;
    }
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

// DataCacheCleanAndInvalid.md: writes back and invalidates the line of the tensor's address
// (SINGLE_CACHE_LINE) or the whole DCache (ENTIRE_DATA_CACHE). The two-parameter form exists on 2201 and 2002
// (8.1.RC1 interface/kernel_common.h). Only arch 2002's cache is modelled; on 2201 it is a no-op here.
template <typename T, CacheLine entireType>
inline void DataCacheCleanAndInvalid(const GlobalTensor<T>& dstTensor) {
    qconv::sim::Core& c = qconv::sim::Cur();
    if (!qconv::sim::DcacheModelled(c)) return;
    const char* api = "DataCacheCleanAndInvalid";
    if (entireType == CacheLine::ENTIRE_DATA_CACHE) {
        qconv::sim::DcacheCleanInvalidate(c, nullptr, 0, api);
        return;
    }
    const qconv::sim::Span s = dstTensor.SimSpan(api);
    qconv::sim::DcacheCleanInvalidate(c, s.region, s.off, api);
}

}  // namespace AscendC
