// TransDataTo5HD (Memory矢量计算/数据排布转换/TransDataTo5HD.md): per repeat, 16 source 32-byte blocks are
// transposed into 16 destination blocks. b16: dst_j[i] = src_i[j]. b32: dst_{2j + i/8}[i % 8] = src_i[j].
// b8: dst_j[16*dstHighHalf + i] = src_i[16*srcHighHalf + j] (the other half of dst_j is kept). With
// repeatTimes == 1 the hardware still adds the repeat strides once (TransDataTo5HD.md, repeatTimes).
#pragma once

#include <cstdint>
#include <cstring>

#include "sim/vector.h"

namespace qconv::sim {

template <typename T>
inline void RunTransData(const Span (&dst)[16], const Span (&src)[16], const AscendC::TransDataTo5HDParams& p) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "TransDataTo5HD: 8-, 16- or 32-bit types");
    const char* api = "TransDataTo5HD";
    Core& c = Cur();
    if (p.repeatTimes == 0) return;
    const uint16_t api_id = InternName(api);
    for (uint32_t r = 0; r < p.repeatTimes; ++r) {
        const uint64_t step = p.repeatTimes == 1 ? 1 : r;
        uint8_t in[16][32];
        uint16_t in_poison[16][32];
        for (int i = 0; i < 16; ++i) {
            CheckAlign(api, "srcList entry", src[i], 32);
            const uint64_t rel = step * p.srcRepStride * 32;
            CheckSpan(api, "srcList entry", src[i], rel, 32);
            const uint64_t off = src[i].off + rel;
            c.CheckRead(Pipe::kV, *src[i].region, off, 32, api);
            std::memcpy(in[i], src[i].region->data + off, 32);
            std::memcpy(in_poison[i], src[i].region->poison.data() + off, sizeof(in_poison[i]));
        }
        c.Issue(Pipe::kV, 512, 512 / sizeof(T));
        for (int j = 0; j < 16; ++j) {
            CheckAlign(api, "dstList entry", dst[j], 32);
            const uint64_t rel = step * p.dstRepStride * 32;
            CheckSpan(api, "dstList entry", dst[j], rel, 32);
        }
        auto put = [&](int j, uint32_t byte, int i, uint32_t sbyte) {
            const uint64_t rel = step * p.dstRepStride * 32;
            Region& dr = *dst[j].region;
            const uint64_t off = dst[j].off + rel + byte;
            std::memcpy(dr.data + off, &in[i][sbyte], sizeof(T));
            for (uint32_t b = 0; b < sizeof(T); ++b) dr.poison[off + b] = in_poison[i][sbyte + b];
        };
        for (int i = 0; i < 16; ++i) {
            if (sizeof(T) == 2) {
                for (int j = 0; j < 16; ++j) put(j, static_cast<uint32_t>(i) * 2, i, static_cast<uint32_t>(j) * 2);
            } else if (sizeof(T) == 4) {
                for (int j = 0; j < 8; ++j) put(2 * j + i / 8, static_cast<uint32_t>(i % 8) * 4, i, static_cast<uint32_t>(j) * 4);
            } else {
                for (int j = 0; j < 16; ++j) {
                    put(j, 16u * p.dstHighHalf + static_cast<uint32_t>(i), i, 16u * p.srcHighHalf + static_cast<uint32_t>(j));
                }
            }
        }
        for (int j = 0; j < 16; ++j) {
            c.MarkWrite(Pipe::kV, *dst[j].region, dst[j].off + step * p.dstRepStride * 32, 32, api_id);
        }
    }
}

// The uint64_t-list form carries GetPhyAddr() values, host pointers into this core's UB here.
inline Span UbSpanOfAddress(uint64_t addr, const char* what) {
    Core& c = Cur();
    Region& ub = c.Arena(Mem::kUb);
    const auto p = static_cast<uintptr_t>(addr);
    const auto base = reinterpret_cast<uintptr_t>(ub.data);
    if (p < base || p >= base + ub.bytes) {
        Fail(Format("TransDataTo5HD: %s address %#llx is not inside the UB of this core%s", what,
                    static_cast<unsigned long long>(addr), c.Where().c_str()));
    }
    Span s;
    s.region = &ub;
    s.off = p - base;
    s.len = ub.bytes - s.off;
    return s;
}

}  // namespace qconv::sim

namespace AscendC {

template <typename T>
inline void TransDataTo5HD(const LocalTensor<T> (&dstList)[16], const LocalTensor<T> (&srcList)[16],
                           const TransDataTo5HDParams& nchwconvParams) {
    using namespace qconv::sim;
    if (!RunsOnVector()) return;
    Span d[16], s[16];
    for (int i = 0; i < 16; ++i) {
        d[i] = dstList[i].SimSpan("TransDataTo5HD", "dstList entry");
        s[i] = srcList[i].SimSpan("TransDataTo5HD", "srcList entry");
    }
    RunTransData<T>(d, s, nchwconvParams);
}

template <typename T>
inline void TransDataTo5HD(uint64_t dstList[16], uint64_t srcList[16], const TransDataTo5HDParams& nchwconvParams) {
    using namespace qconv::sim;
    if (!RunsOnVector()) return;
    Span d[16], s[16];
    for (int i = 0; i < 16; ++i) {
        d[i] = UbSpanOfAddress(dstList[i], "dstList");
        s[i] = UbSpanOfAddress(srcList[i], "srcList");
    }
    RunTransData<T>(d, s, nchwconvParams);
}

}  // namespace AscendC
