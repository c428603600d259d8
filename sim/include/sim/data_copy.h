// DataCopy / DataCopyPad and their parameter structs (CANN 8.1.RC1 interface/kernel_struct_data_copy.h;
// doc pages mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/Memory矢量计算/数据搬运/DataCopy*.md, DataCopyPad*.md and
// 矩阵计算（ISASI）/矩阵计算的搬入/DataCopy（GMToL1*）.md, 矩阵计算的搬出/DataCopy（L0C到UB数据搬运）.md).
#pragma once

#include <cstdint>
#include <string>

#include "sim/core.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/move.h"
#include "sim/tensor.h"

namespace AscendC {

struct DataCopyParams {
    uint16_t blockCount = 1;
    uint16_t blockLen = 0;
    uint16_t srcStride = 0;
    uint16_t dstStride = 0;
    DataCopyParams() = default;
    DataCopyParams(uint16_t count, uint16_t len, uint16_t srcStrideIn, uint16_t dstStrideIn)
        : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn) {}
};

struct DataCopyExtParams {
    uint16_t blockCount = 1;
    uint32_t blockLen = 0;
    uint32_t srcStride = 0;
    uint32_t dstStride = 0;
    uint32_t rsv = 0;
    DataCopyExtParams() = default;
    DataCopyExtParams(uint16_t count, uint32_t len, uint32_t srcStrideIn, uint32_t dstStrideIn, uint32_t rsvIn)
        : blockCount(count), blockLen(len), srcStride(srcStrideIn), dstStride(dstStrideIn), rsv(rsvIn) {}
};

template <typename T>
struct DataCopyPadExtParams {
    bool isPad = false;
    uint8_t leftPadding = 0;
    uint8_t rightPadding = 0;
    T paddingValue = 0;
    DataCopyPadExtParams() = default;
    DataCopyPadExtParams(bool isPadIn, uint8_t left, uint8_t right, T value)
        : isPad(isPadIn), leftPadding(left), rightPadding(right), paddingValue(value) {}
};

struct DataCopyPadParams {
    bool isPad = false;
    uint8_t leftPadding = 0;
    uint8_t rightPadding = 0;
    uint64_t paddingValue = 0;
    DataCopyPadParams() = default;
    DataCopyPadParams(bool isPadIn, uint8_t left, uint8_t right, uint64_t value)
        : isPad(isPadIn), leftPadding(left), rightPadding(right), paddingValue(value) {}
};

// GM -> L1 with ND -> NZ on the fly (8.1.RC1 interface/kernel_struct_data_copy.h). Source strides in
// elements, the two Nz strides in 32 B, dstNzMatrixStride in elements.
struct Nd2NzParams {
    uint16_t ndNum = 0;
    uint16_t nValue = 0;
    uint16_t dValue = 0;
    uint16_t srcNdMatrixStride = 0;
    uint16_t srcDValue = 0;
    uint16_t dstNzC0Stride = 0;
    uint16_t dstNzNStride = 0;
    uint16_t dstNzMatrixStride = 0;
    Nd2NzParams() = default;
    Nd2NzParams(uint16_t ndNumIn, uint16_t nValueIn, uint16_t dValueIn, uint16_t srcNdMatrixStrideIn,
                uint16_t srcDValueIn, uint16_t dstNzC0StrideIn, uint16_t dstNzNStrideIn, uint16_t dstNzMatrixStrideIn)
        : ndNum(ndNumIn), nValue(nValueIn), dValue(dValueIn), srcNdMatrixStride(srcNdMatrixStrideIn),
          srcDValue(srcDValueIn), dstNzC0Stride(dstNzC0StrideIn), dstNzNStride(dstNzNStrideIn),
          dstNzMatrixStride(dstNzMatrixStrideIn) {}
};

struct DataCopyEnhancedParams {
    BlockMode blockMode = BlockMode::BLOCK_MODE_NORMAL;
    DeqScale deqScale = DeqScale::DEQ_NONE;
    uint64_t deqValue = 0;
    uint8_t sidStoreMode = 0;
    bool isRelu = false;
    pad_t padMode = PAD_NONE;
    uint64_t padValue = 0;
    uint64_t deqTensorAddr = 0;
    DataCopyEnhancedParams() = default;
    DataCopyEnhancedParams(BlockMode blockModeIn, DeqScale deqScaleIn, uint64_t deqValueIn, uint8_t sidStoreModeIn,
                           bool isReluIn, pad_t padModeIn, uint64_t padValueIn)
        : blockMode(blockModeIn),
          deqScale(deqScaleIn),
          deqValue(deqValueIn),
          sidStoreMode(sidStoreModeIn),
          isRelu(isReluIn),
          padMode(padModeIn),
          padValue(padValueIn) {}
};

}  // namespace AscendC

namespace qconv::sim {

// Whether the current core executes an API of the given unit: on 2201 cube-side APIs are no-ops on an
// AIV and vector-side APIs no-ops on an AIC (every 8.1.RC1 dav_c220 impl is wrapped in ASCEND_IS_AIC/AIV).
inline bool RunsOnCube() { return Cur().kind != CoreKind::kAiv; }
inline bool RunsOnVector() { return Cur().kind != CoreKind::kAic; }

// The GM<->local DataCopy with DataCopyParams (units of 32 B for length and gaps).
template <typename T>
inline void GmLocalCopy(const char* api, bool to_gm, const Span& gm, const Span& local, Mem local_mem,
                        const AscendC::DataCopyParams& p) {
    Core& c = Cur();
    if (local_mem == Mem::kUb && !RunsOnVector()) return;
    if (local_mem == Mem::kL1 && !RunsOnCube()) return;
    if (local_mem != Mem::kUb && local_mem != Mem::kL1) {
        Fail(Format("%s: no GM path for a local tensor in %s%s", api, MemName(local_mem), c.Where().c_str()));
    }
    if (to_gm && local_mem == Mem::kL1) Fail(Format("%s: L1 -> GM is not a DataCopy path%s", api, c.Where().c_str()));
    CheckAlign(api, to_gm ? "source" : "destination", local, 32);
    CheckAlign(api, to_gm ? "destination" : "source", gm, sizeof(T));
    BlockMove m{};
    m.api = api;
    m.pipe = to_gm ? Pipe::kMte3 : Pipe::kMte2;
    m.count = p.blockCount;
    m.src_bytes = m.dst_bytes = uint64_t{p.blockLen} * 32;
    m.src_pitch = (uint64_t{p.blockLen} + p.srcStride) * 32;
    m.dst_pitch = (uint64_t{p.blockLen} + p.dstStride) * 32;
    if (to_gm) MoveBlocks(c, m, gm, local);
    else MoveBlocks(c, m, local, gm);
}

// Count overloads: blockLen = count * sizeof(T) / 32. The NPU silently truncates a count that is not a
// whole number of 32-byte blocks; CANN's CPU-debug build asserts, and so does the twin.
template <typename T>
inline AscendC::DataCopyParams CountParams(const char* api, uint32_t count) {
    const uint64_t bytes = uint64_t{count} * sizeof(T);
    if (bytes % 32 != 0) {
        Fail(Format("%s: calCount = %u elements = %llu bytes is not a multiple of 32 bytes (the hardware would "
                    "drop the tail; use DataCopyPad)%s",
                    api, count, static_cast<unsigned long long>(bytes), Cur().Where().c_str()));
    }
    return AscendC::DataCopyParams(1, static_cast<uint16_t>(bytes / 32), 0, 0);
}

}  // namespace qconv::sim

namespace AscendC {

// GM -> UB (AIV) or GM -> L1 (AIC): DataCopy（GM与UB高维切分数据搬运）.md, DataCopy（GMToL1高维切分数据搬运）.md.
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& params) {
    const char* api = "DataCopy(GM->local)";
    using namespace qconv::sim;
    if (dst.SimMem() == Mem::kUb && !RunsOnVector()) return;
    if (dst.SimMem() == Mem::kL1 && !RunsOnCube()) return;
    GmLocalCopy<T>(api, false, src.SimSpan(api), dst.SimSpan(api, "dst"), dst.SimMem(), params);
}
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const uint32_t calCount) {
    DataCopy(dst, src, qconv::sim::CountParams<T>("DataCopy(GM->local)", calCount));
}

// GM -> L1 ND2NZ (AIC): DataCopy（GMToL1随路转换-ND2NZ搬运）.md (mirror-cann/asc-devkit @82b89a15,
// docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/矩阵计算的搬入/) and its pseudo-code in the C API page
// asc_copy_gm2l1_nd2nz_arch_2201.md. Arch 2201 runs it in hardware for 8/16/32-bit types (8.1.RC1
// impl/dav_c220/kernel_operator_data_copy_impl.h:264-309, copy_gm_to_cbuf_multi_nd2nz_b8). Arch 2002 has no
// hardware ND2NZ: 8.1.RC1 impl/dav_m200/kernel_operator_data_copy_impl.h:171-300 emulates it through UB,
// which the twin does not model, so it refuses the call there. Ranges from the doc page: ndNum [0, 4095],
// nValue [0, 16384], dValue [0, 65535], dstNzC0Stride and dstNzNStride [1, 16384], dstNzMatrixStride
// [0, 16384]; ndNum, nValue or dValue 0 is a NOP. Rows between nValue and the next multiple of 16 are not
// written (the doc pads along D only), so they keep what L1 held before.
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const Nd2NzParams& params) {
    const char* api = "DataCopy(GM->L1, Nd2NzParams)";
    using namespace qconv::sim;
#if __NPU_ARCH__ == 2002
    (void)dst;
    (void)src;
    (void)params;
    Fail(Format("%s: arch 2002 has no hardware ND2NZ (CANN 8.1.RC1 emulates it through UB for 16/32-bit types only); "
                "the twin refuses it%s",
                api, Cur().Where().c_str()));
#else
    if (!RunsOnCube()) return;
    if (dst.SimMem() != Mem::kL1) {
        Fail(Format("%s: the destination must be in L1 (A1/B1), got %s%s", api, MemName(dst.SimMem()),
                    Cur().Where().c_str()));
    }
    auto in_range = [&](const char* field, uint32_t v, uint32_t lo, uint32_t hi) {
        if (v < lo || v > hi) {
            Fail(Format("%s: %s = %u must be within [%u, %u]%s", api, field, v, lo, hi, Cur().Where().c_str()));
        }
    };
    in_range("ndNum", params.ndNum, 0, 4095);
    in_range("nValue", params.nValue, 0, 16384);
    in_range("dstNzC0Stride", params.dstNzC0Stride, 1, 16384);
    in_range("dstNzNStride", params.dstNzNStride, 1, 16384);
    in_range("dstNzMatrixStride", params.dstNzMatrixStride, 0, 16384);
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api);
    CheckAlign(api, "destination", ds, 32);
    CheckAlign(api, "source", ss, sizeof(T));
    MoveNd2Nz(Cur(),
              Nd2NzMove{api, static_cast<uint32_t>(sizeof(T)), params.ndNum, params.nValue, params.dValue,
                        params.srcNdMatrixStride, params.srcDValue, params.dstNzC0Stride, params.dstNzNStride,
                        params.dstNzMatrixStride},
              ds, ss);
#endif
}

// UB -> GM (AIV; on 2002 also CO2 = UB): DataCopy（GM与UB高维切分数据搬运）.md.
template <typename T>
inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& params) {
    const char* api = "DataCopy(local->GM)";
    using namespace qconv::sim;
    if (src.SimMem() == Mem::kUb && !RunsOnVector()) return;
    GmLocalCopy<T>(api, true, dst.SimSpan(api), src.SimSpan(api, "src"), src.SimMem(), params);
}
template <typename T>
inline void DataCopy(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t calCount) {
    DataCopy(dst, src, qconv::sim::CountParams<T>("DataCopy(local->GM)", calCount));
}

// Local -> local with DataCopyParams: UB -> UB on PIPE_V; on 2002 also UB <-> L1 (MTE3 / MTE1).
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& params) {
    const char* api = "DataCopy(local->local)";
    using namespace qconv::sim;
    const Mem d = dst.SimMem(), s = src.SimMem();
    Pipe pipe;
    if (d == Mem::kUb && s == Mem::kUb) {
        if (!RunsOnVector()) return;
        pipe = Pipe::kV;
#if __NPU_ARCH__ == 2002
    } else if (s == Mem::kUb && d == Mem::kL1) {
        pipe = Pipe::kMte3;
    } else if (s == Mem::kL1 && d == Mem::kUb) {
        pipe = Pipe::kMte1;
#endif
    } else {
        Fail(Format("%s: no DataCopyParams path from %s to %s on arch %d in the twin%s", api, MemName(s), MemName(d),
                    __NPU_ARCH__, Cur().Where().c_str()));
    }
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api, "src");
    CheckAlign(api, "dst", ds, 32);
    CheckAlign(api, "src", ss, 32);
    BlockMove m{};
    m.api = api;
    m.pipe = pipe;
    m.count = params.blockCount;
    m.src_bytes = m.dst_bytes = uint64_t{params.blockLen} * 32;
    m.src_pitch = (uint64_t{params.blockLen} + params.srcStride) * 32;
    m.dst_pitch = (uint64_t{params.blockLen} + params.dstStride) * 32;
    MoveBlocks(Cur(), m, ds, ss);
}
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint32_t calCount) {
    DataCopy(dst, src, qconv::sim::CountParams<T>("DataCopy(local->local)", calCount));
}

// L0C (CO1) -> UB (CO2) through the vector unit, arch 2002 only (a call on 2201 stops the run): DataCopy（L0C到UB数据搬运）.md. The twin
// models BLOCK_MODE_MATRIX without conversion (DEQ_NONE): blockLen counts 16x16 fractals (1024 B for a
// 32-bit type, 512 B for 16-bit), srcStride is a gap in fractals, dstStride a gap in 32 B.
template <typename T>
inline void DataCopy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& params,
                     const DataCopyEnhancedParams& enhancedParams) {
    const char* api = "DataCopy(L0C->UB)";
    using namespace qconv::sim;
    static_assert(sizeof(T) == 4 || sizeof(T) == 2, "L0C -> UB copies 16- or 32-bit elements");
#if __NPU_ARCH__ == 2201
    Fail(Format("%s: arch 2201 has no L0C -> UB path (use Fixpipe)%s", api, Cur().Where().c_str()));
#endif
    if (src.SimMem() != Mem::kL0C || dst.SimMem() != Mem::kUb) {
        Fail(Format("%s: source must be in L0C (CO1) and destination in UB, got %s -> %s%s", api,
                    MemName(src.SimMem()), MemName(dst.SimMem()), Cur().Where().c_str()));
    }
    if (enhancedParams.blockMode != BlockMode::BLOCK_MODE_MATRIX || enhancedParams.deqScale != DeqScale::DEQ_NONE ||
        enhancedParams.isRelu) {
        Fail(Format("%s: the twin models blockMode = BLOCK_MODE_MATRIX with deqScale = DEQ_NONE and no ReLU only "
                    "(got blockMode %d, deqScale %d)%s",
                    api, static_cast<int>(enhancedParams.blockMode), static_cast<int>(enhancedParams.deqScale),
                    Cur().Where().c_str()));
    }
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api, "src");
    CheckAlign(api, "dst", ds, 32);
    CheckAlign(api, "src", ss, 64);
    const uint64_t frac = 256 * sizeof(T);
    BlockMove m{};
    m.api = api;
    m.pipe = Pipe::kV;
    m.count = params.blockCount;
    m.src_bytes = m.dst_bytes = uint64_t{params.blockLen} * frac;
    m.src_pitch = (uint64_t{params.blockLen} + params.srcStride) * frac;
    m.dst_pitch = uint64_t{params.blockLen} * frac + uint64_t{params.dstStride} * 32;
    MoveBlocks(Cur(), m, ds, ss);
}

// DataCopyPad is declared on both arches as in 8.1.RC1 but unsupported on 2002 (deprecated, "not support"):
// a call there stops the run.
inline void RequirePadArch(const char* api) {
#if __NPU_ARCH__ == 2002
    qconv::sim::Fail(std::string(api) + ": DataCopyPad is not supported on arch 2002" + qconv::sim::Cur().Where());
#else
    (void)api;
#endif
}

// DataCopyPad（GMToUB非对齐数据搬运）.md (arch 2201 only). blockLen and srcStride (GM gap) in bytes, dstStride
// (UB gap) in 32 B. Each UB block: [leftPadding][data][rightPadding][dummy up to 32 B]. Padding takes
// paddingValue when isPad, otherwise an unspecified value (poison here); the dummy bytes are poison.
template <typename T>
inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyExtParams& p,
                        const DataCopyPadExtParams<T>& pad) {
    const char* api = "DataCopyPad(GM->UB)";
    using namespace qconv::sim;
    RequirePadArch(api);
    if (!RunsOnVector()) return;
    Core& c = Cur();
    if (dst.SimMem() != Mem::kUb) Fail(Format("%s: destination must be in UB%s", api, c.Where().c_str()));
    if (p.blockLen % sizeof(T) != 0 || p.blockLen > 2097151) {
        Fail(Format("%s: blockLen = %u bytes must be a multiple of sizeof(T) = %zu within [0, 2097151]%s", api,
                    p.blockLen, sizeof(T), c.Where().c_str()));
    }
    if (uint64_t{pad.leftPadding} * sizeof(T) > 32 || uint64_t{pad.rightPadding} * sizeof(T) > 32) {
        Fail(Format("%s: leftPadding = %u / rightPadding = %u elements exceed 32 bytes%s", api, pad.leftPadding,
                    pad.rightPadding, c.Where().c_str()));
    }
    const Span ds = dst.SimSpan(api, "dst");
    CheckAlign(api, "dst", ds, 32);
    const uint64_t lead = uint64_t{pad.leftPadding} * sizeof(T);
    const uint64_t used = lead + p.blockLen + uint64_t{pad.rightPadding} * sizeof(T);
    const uint64_t block = (used + 31) / 32 * 32;
    T value = pad.paddingValue;
    BlockMove m{};
    m.api = api;
    m.pipe = Pipe::kMte2;
    m.count = p.blockCount;
    m.src_bytes = p.blockLen;
    m.dst_bytes = block;
    m.src_pitch = uint64_t{p.blockLen} + p.srcStride;
    m.dst_pitch = block + uint64_t{p.dstStride} * 32;
    m.dst_lead = lead;
    if (pad.isPad) {
        m.pad = reinterpret_cast<const uint8_t*>(&value);
        m.pad_len = sizeof(T);
    } else {
        m.pad_origin = InternName("DataCopyPad padding with isPad = false (unspecified value)");
    }
    m.tail_poison_from = used;
    m.tail_origin = InternName("DataCopyPad dummy bytes up to 32 B (unspecified value)");
    if (p.blockLen == 0 && lead == 0 && used == 0) return;
    MoveBlocks(c, m, ds, src.SimSpan(api));
}
template <typename T>
inline void DataCopyPad(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const DataCopyParams& p,
                        const DataCopyPadParams& pad) {
    DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0),
                DataCopyPadExtParams<T>(pad.isPad, pad.leftPadding, pad.rightPadding,
                                        static_cast<T>(pad.paddingValue)));
}

// DataCopyPad（UBToGM非对齐数据搬运）.md: blockLen in bytes; the UB side reads ceil(blockLen/32)*32 bytes per
// block with srcStride a gap in 32 B; dstStride is a GM gap in bytes; only blockLen bytes are written.
template <typename T>
inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyExtParams& p) {
    const char* api = "DataCopyPad(UB->GM)";
    using namespace qconv::sim;
    RequirePadArch(api);
    if (!RunsOnVector()) return;
    Core& c = Cur();
    if (src.SimMem() != Mem::kUb) Fail(Format("%s: source must be in UB%s", api, c.Where().c_str()));
    if (p.blockLen % sizeof(T) != 0 || p.blockLen > 2097151) {
        Fail(Format("%s: blockLen = %u bytes must be a multiple of sizeof(T) = %zu within [0, 2097151]%s", api,
                    p.blockLen, sizeof(T), c.Where().c_str()));
    }
    const Span ss = src.SimSpan(api, "src");
    CheckAlign(api, "src", ss, 32);
    BlockMove m{};
    m.api = api;
    m.pipe = Pipe::kMte3;
    m.count = p.blockCount;
    m.src_bytes = m.dst_bytes = p.blockLen;
    m.src_pitch = (uint64_t{p.blockLen} + 31) / 32 * 32 + uint64_t{p.srcStride} * 32;
    m.dst_pitch = uint64_t{p.blockLen} + p.dstStride;
    MoveBlocks(c, m, dst.SimSpan(api), ss);
}
template <typename T>
inline void DataCopyPad(const GlobalTensor<T>& dst, const LocalTensor<T>& src, const DataCopyParams& p) {
    DataCopyPad(dst, src, DataCopyExtParams(p.blockCount, p.blockLen, p.srcStride, p.dstStride, 0));
}

}  // namespace AscendC
