// Gather, count form (Memory矢量计算/离散与聚合/Gather.md): dst[i] = src[(srcBaseAddr + srcOffset[i]) / sizeof(T)]
// for i < count, srcOffset in bytes (uint32). What the twin enforces, each with its source:
//  - element types: 2002 (Atlas 推理系列产品 AI Core) half / int16 / uint16 / float / int32 / uint32; 2201 the
//    same plus bfloat16 (mirror-cann/asc-devkit @82b89a15 `docs/zh/api/SIMD-API/基础API/Memory矢量计算/离散与聚合/
//    Gather.md` lines 74-83; leideng/CANN-8.1.RC1 @551ed27c `Ascend/ascend-toolkit/8.1.RC1/aarch64-linux/ascendc/
//    include/basic_api/inner_interface/inner_kernel_operator_vec_gather_intf.cppm` lines 123-130: no 8-bit type);
//  - dst, src and srcOffset start 32-byte aligned (Gather.md table 2);
//  - src and dst are not the same memory (Gather.md 约束说明 line 87): the twin stops a call whose written bytes
//    overlap a byte it reads;
//  - srcBaseAddr and every srcBaseAddr + srcOffset[i] are multiples of sizeof(T), and the element read lies
//    inside UB (约束说明 lines 88-90 and 112: a misaligned address misplaces data without an error);
//  - below arch 300 the count form issues count / (256 / sizeof(T)) full repeats as one uint8_t repeatTimes
//    (inner_kernel_operator_vec_gather_intf.cppm lines 166-182), so that quotient must stay <= 255.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sim/vector.h"

namespace qconv::sim {

template <typename T>
constexpr bool kGatherType = std::is_same<T, half>::value || std::is_same<T, int16_t>::value ||
                             std::is_same<T, uint16_t>::value || std::is_same<T, float>::value ||
                             std::is_same<T, int32_t>::value || std::is_same<T, uint32_t>::value;

template <typename T>
inline void RunGather(const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src,
                      const AscendC::LocalTensor<uint32_t>& offsets, uint32_t base, uint32_t count) {
    const char* api = "Gather";
    Core& c = Cur();
    const Span ds = dst.SimSpan(api, "dst");
    const Span ss = src.SimSpan(api, "src");
    const Span os = offsets.SimSpan(api, "srcOffset");
    CheckAlign(api, "dst", ds, 32);
    CheckAlign(api, "src", ss, 32);
    CheckAlign(api, "srcOffset", os, 32);
    if (count == 0) return;
    constexpr uint32_t kLanes = 256 / sizeof(T);
    if (count / kLanes > 255) {
        Fail(Format("Gather: count = %u needs %u full repeats of %u elements; the count form passes them as one "
                    "uint8_t repeatTimes below arch 300 (CANN 8.1.RC1 inner_kernel_operator_vec_gather_intf.cppm), "
                    "so at most 255%s",
                    count, count / kLanes, kLanes, c.Where().c_str()));
    }
    if (base % sizeof(T) != 0) {
        Fail(Format("Gather: srcBaseAddr = %u is not a multiple of the element size %zu (Gather.md: the data would be "
                    "misplaced without an error)%s",
                    base, sizeof(T), c.Where().c_str()));
    }
    const uint64_t out_bytes = uint64_t{count} * sizeof(T);
    CheckSpan(api, "dst", ds, 0, out_bytes);
    CheckSpan(api, "srcOffset", os, 0, uint64_t{count} * 4);
    c.CheckRead(Pipe::kV, *os.region, os.off, uint64_t{count} * 4, api);
    const uint16_t undefined_offset = os.region->FirstPoison(os.off, uint64_t{count} * 4);
    if (undefined_offset != 0) {
        Fail(Format("Gather: srcOffset holds undefined data (%s): the addresses read would be arbitrary%s",
                    NameOf(undefined_offset).c_str(), c.Where().c_str()));
    }
    Region& sr = *ss.region;
    uint64_t lo = ~uint64_t{0}, hi = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t off = Load<uint32_t>(os.region->data + os.off + uint64_t{i} * 4);
        const uint64_t byte = ss.off + uint64_t{base} + off;
        if ((uint64_t{base} + off) % sizeof(T) != 0) {
            Fail(Format("Gather: srcBaseAddr + srcOffset[%u] = %llu is not a multiple of the element size %zu "
                        "(Gather.md 约束说明)%s",
                        i, static_cast<unsigned long long>(uint64_t{base} + off), sizeof(T), c.Where().c_str()));
        }
        if (byte + sizeof(T) > sr.bytes) {
            Fail(Format("Gather: srcOffset[%u] = %u reads bytes [%llu, %llu) of %s, beyond its %llu bytes (Gather.md "
                        "约束说明: the address must stay inside UB)%s",
                        i, off, static_cast<unsigned long long>(byte), static_cast<unsigned long long>(byte + sizeof(T)),
                        sr.name.c_str(), static_cast<unsigned long long>(sr.bytes), c.Where().c_str()));
        }
        lo = std::min(lo, byte);
        hi = std::max(hi, byte + sizeof(T));
    }
    if (ds.region == &sr) {
        for (uint32_t i = 0; i < count; ++i) {
            const uint64_t byte = ss.off + uint64_t{base} + Load<uint32_t>(os.region->data + os.off + uint64_t{i} * 4);
            if (byte < ds.off + out_bytes && ds.off < byte + sizeof(T)) {
                Fail(Format("Gather: dst bytes [%llu, %llu) of %s overlap the source element srcOffset[%u] reads at "
                            "byte %llu; src and dst must not be the same memory (Gather.md 约束说明)%s",
                            static_cast<unsigned long long>(ds.off), static_cast<unsigned long long>(ds.off + out_bytes),
                            sr.name.c_str(), i, static_cast<unsigned long long>(byte), c.Where().c_str()));
            }
        }
    }
    c.CheckRead(Pipe::kV, sr, lo, hi - lo, api);
    c.Issue(Pipe::kV, out_bytes, count);
    Region& dr = *ds.region;
    for (uint32_t i = 0; i < count; ++i) {
        const uint64_t from = ss.off + uint64_t{base} + Load<uint32_t>(os.region->data + os.off + uint64_t{i} * 4);
        const uint64_t to = ds.off + uint64_t{i} * sizeof(T);
        std::memcpy(dr.data + to, sr.data + from, sizeof(T));
        for (uint32_t b = 0; b < sizeof(T); ++b) dr.poison[to + b] = sr.poison[from + b];
    }
    c.MarkWrite(Pipe::kV, dr, ds.off, out_bytes, InternName(api));
}

}  // namespace qconv::sim

namespace AscendC {

template <typename T>
inline void Gather(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint32_t>& srcOffset,
                   const uint32_t srcBaseAddr, const uint32_t count) {
    static_assert(qconv::sim::kGatherType<T>,
                  "Gather: half, int16_t, uint16_t, float, int32_t or uint32_t (Gather.md; no 8-bit type below arch 300)");
    if (!qconv::sim::RunsOnVector()) return;
    qconv::sim::RunGather(dst, src, srcOffset, srcBaseAddr, count);
}

}  // namespace AscendC
