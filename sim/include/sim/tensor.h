// GlobalTensor and LocalTensor (CANN 8.1.RC1 interface/kernel_tensor.h; doc pages mirror-cann/asc-devkit
// docs/zh/api/SIMD-API/基础API/数据结构/GlobalTensor/*.md and LocalTensor/*.md). A LocalTensor is an offset
// and byte length inside one arena of the current core plus the TQue/TBuf buffer it came from, so every
// API can check bounds and lifetime (a tensor used after FreeTensor stops the run).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sim/core.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/launch_state.h"

namespace qconv::sim {

// Physical buffer of a TPosition on the compiled arch (mirror-cann/asc-devkit docs/zh/api/SIMD-API/通用说明和约束.md table 1;
// CANN 8.1.RC1 basic_api/impl/kernel_event.h GetPhyType).
constexpr Mem PhysicalOf(AscendC::TPosition pos) {
    using AscendC::TPosition;
    switch (pos) {
        case TPosition::GM: return Mem::kGm;
        case TPosition::A1:
        case TPosition::B1:
        case TPosition::TSCM:
        case TPosition::SPM: return Mem::kL1;
        case TPosition::A2: return Mem::kL0A;
        case TPosition::B2: return Mem::kL0B;
        case TPosition::CO1: return Mem::kL0C;
        case TPosition::VECIN:
        case TPosition::VECOUT:
        case TPosition::VECCALC: return Mem::kUb;
#if __NPU_ARCH__ == 2201
        case TPosition::C1: return Mem::kL1;
        case TPosition::C2: return Mem::kBias;
        case TPosition::CO2: return Mem::kGm;
        case TPosition::C2PIPE2GM: return Mem::kFixbuf;
#else
        case TPosition::C1: return Mem::kUb;
        case TPosition::C2: return Mem::kL0C;
        case TPosition::CO2: return Mem::kUb;
        case TPosition::C2PIPE2GM: return Mem::kCount;
#endif
        default: return Mem::kCount;
    }
}


}  // namespace qconv::sim

namespace AscendC {

template <typename T>
class LocalTensor;

template <typename T>
class GlobalTensor {
public:
    using PrimType = T;
    GlobalTensor() = default;

    // SetGlobalBuffer.md: bufferSize in elements; the 1-argument form leaves the size 0.
    void SetGlobalBuffer(__gm__ T* buffer, uint64_t bufferSize) {
        addr_ = reinterpret_cast<uintptr_t>(buffer);
        size_ = bufferSize;
    }
    void SetGlobalBuffer(__gm__ T* buffer) { SetGlobalBuffer(buffer, 0); }

    // operator[]: the address moves by `offset` elements, the size is not reduced (kernel_tensor_impl.h).
    GlobalTensor operator[](uint64_t offset) const {
        GlobalTensor t = *this;
        t.addr_ = addr_ + offset * sizeof(T);
        return t;
    }
    uint64_t GetSize() const { return size_; }
    __gm__ T* GetPhyAddr() const { return reinterpret_cast<T*>(addr_); }
    __gm__ T* GetPhyAddr(uint64_t offset) const { return reinterpret_cast<T*>(addr_ + offset * sizeof(T)); }

    // Scalar access through the data cache (GetValue.md / SetValue.md): PIPE_S.
    T GetValue(uint64_t offset) const;
    void SetValue(uint64_t offset, T value) const;
    T operator()(uint64_t offset) const { return GetValue(offset); }

    // Twin internals: the checked GM window starting at this tensor's address.
    qconv::sim::Span SimSpan(const char* api) const {
        qconv::sim::Span s;
        uint64_t off = 0;
        s.region = qconv::sim::Cur().launch.FindGm(reinterpret_cast<const void*>(addr_), &off);
        if (s.region == nullptr) {
            qconv::sim::Fail(qconv::sim::Format(
                "%s: GlobalTensor address %#llx is not inside any GM argument buffer of the launch%s", api,
                static_cast<unsigned long long>(addr_), qconv::sim::Cur().Where().c_str()));
        }
        s.off = off;
        s.len = s.region->bytes - off;
        return s;
    }

private:
    uintptr_t addr_ = 0;
    uint64_t size_ = 0;
};

template <typename T>
class LocalTensor {
public:
    using PrimType = T;
    LocalTensor() = default;

    // operator[]: offset in elements; the length shrinks accordingly (kernel_tensor_impl.h:386).
    LocalTensor operator[](uint32_t offset) const {
        LocalTensor t = *this;
        const uint64_t shift = static_cast<uint64_t>(offset) * sizeof(T);
        if (shift > len_) {
            qconv::sim::Fail(qconv::sim::Format(
                "LocalTensor::operator[]: element offset %u (%llu bytes) is beyond the tensor's %llu bytes in %s%s",
                offset, static_cast<unsigned long long>(shift), static_cast<unsigned long long>(len_),
                qconv::sim::MemName(mem_), qconv::sim::Cur().Where().c_str()));
        }
        t.off_ += shift;
        t.len_ -= shift;
        return t;
    }
    uint32_t GetSize() const { return static_cast<uint32_t>(len_ / sizeof(T)); }
    uint32_t GetLength() const { return static_cast<uint32_t>(len_); }
    void SetSize(uint32_t elements) { len_ = static_cast<uint64_t>(elements) * sizeof(T); }
    int32_t GetPosition() const { return static_cast<int32_t>(pos_); }

    template <typename U>
    LocalTensor<U> ReinterpretCast() const {
        LocalTensor<U> t;
        t.SimInit(mem_, off_, (len_ / sizeof(T)) * sizeof(T), pos_, buf_, gen_);
        return t;
    }

    // Scalar access (PIPE_S), UB only.
    T GetValue(uint32_t offset) const;
    void SetValue(uint32_t offset, T value) const;
    T operator()(uint32_t offset) const { return GetValue(offset); }

    // CPU-debug builds return a host pointer.
    T* GetPhyAddr() const { return reinterpret_cast<T*>(SimRegion().data + off_); }
    T* GetPhyAddr(uint32_t offset) const { return GetPhyAddr() + offset; }

    // ---- twin internals ----
    void SimInit(qconv::sim::Mem mem, uint64_t off, uint64_t len, TPosition pos, int32_t buf, uint32_t gen) {
        mem_ = mem;
        off_ = off;
        len_ = len;
        pos_ = pos;
        buf_ = buf;
        gen_ = gen;
    }
    TPosition SimPosition() const { return pos_; }
    qconv::sim::Mem SimMem() const { return mem_; }
    int32_t SimBuffer() const { return buf_; }
    qconv::sim::Region& SimRegion() const { return qconv::sim::Cur().Arena(mem_); }
    // Validates the tensor (obtained from a TPipe buffer, not used after FreeTensor) and returns its window.
    qconv::sim::Span SimSpan(const char* api, const char* operand) const {
        qconv::sim::Core& core = qconv::sim::Cur();
        if (buf_ < 0 || static_cast<size_t>(buf_) >= core.buffers.size()) {
            qconv::sim::Fail(qconv::sim::Format(
                "%s: %s is a LocalTensor that was not obtained from a TQue/TBuf of this core's TPipe%s", api, operand,
                core.Where().c_str()));
        }
        const qconv::sim::BufferRecord& rec = core.buffers[static_cast<size_t>(buf_)];
        if (rec.generation != gen_) {
            qconv::sim::Fail(qconv::sim::Format(
                "%s: %s uses %s (%s offset %llu, %llu bytes) after FreeTensor released it%s", api, operand,
                rec.owner.c_str(), qconv::sim::MemName(mem_), static_cast<unsigned long long>(off_),
                static_cast<unsigned long long>(len_), core.Where().c_str()));
        }
        qconv::sim::Span s;
        s.region = &core.Arena(mem_);
        s.off = off_;
        s.len = len_;
        return s;
    }

private:
    qconv::sim::Mem mem_ = qconv::sim::Mem::kCount;
    uint64_t off_ = 0;
    uint64_t len_ = 0;
    TPosition pos_ = TPosition::MAX;
    int32_t buf_ = -1;
    uint32_t gen_ = 0;
};

}  // namespace AscendC
