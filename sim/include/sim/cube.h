// Cube-side APIs: LoadData 2D / 3D v2, LoadDataWithTranspose, SetFmatrix, SetLoadDataPaddingValue, Mmad and
// Fixpipe with their CANN 8.1.RC1 parameter structs (interface/kernel_struct_mm.h, kernel_struct_fixpipe.h).
// Doc pages (mirror-cann/asc-devkit): docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/矩阵计算的搬入/LoadData_2D.md, LoadData_3D.md,
// LoadDataWithTranspose.md; Mmad计算/Mmad.md; 矩阵计算的搬出/Fixpipe（L0C到GM数据搬运）.md.
#pragma once

#include <cstdint>
#include <type_traits>

#include "sim/core.h"
#include "sim/cube_kernels.h"
#include "sim/data_copy.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/half.h"
#include "sim/tensor.h"

namespace AscendC {

struct LoadData2DParams {
    uint16_t startIndex = 0;
    uint16_t dstGap = 0;
    uint16_t srcStride = 0;
    bool ifTranspose = false;
    uint8_t repeatTimes = 0;
    uint8_t sid = 0;
    uint8_t addrMode = 0;
    LoadData2DParams() = default;
    LoadData2DParams(uint16_t startIndexIn, uint8_t repeatTimesIn, uint16_t srcStrideIn, uint8_t sidIn,
                     uint16_t dstGapIn, bool ifTransposeIn, uint8_t addrModeIn)
        : startIndex(startIndexIn),
          dstGap(dstGapIn),
          srcStride(srcStrideIn),
          ifTranspose(ifTransposeIn),
          repeatTimes(repeatTimesIn),
          sid(sidIn),
          addrMode(addrModeIn) {}
};
using LoadData2dParams = LoadData2DParams;

struct LoadData2dTransposeParams {
    uint16_t startIndex = 0;
    uint8_t repeatTimes = 0;
    uint16_t srcStride = 0;
    uint16_t dstGap = 0;
    uint16_t dstFracGap = 0;
    uint8_t addrMode = 0;
    LoadData2dTransposeParams() = default;
    LoadData2dTransposeParams(uint16_t startIndexIn, uint8_t repeatTimesIn, uint16_t srcStrideIn, uint16_t dstGapIn,
                              uint16_t dstFracGapIn, uint8_t addrModeIn = 0)
        : startIndex(startIndexIn),
          repeatTimes(repeatTimesIn),
          srcStride(srcStrideIn),
          dstGap(dstGapIn),
          dstFracGap(dstFracGapIn),
          addrMode(addrModeIn) {}
};

template <typename T>
struct LoadData3DParamsV2 {
    uint8_t padList[4] = {0, 0, 0, 0};
    uint16_t l1H = 0;
    uint16_t l1W = 0;
    uint16_t channelSize = 0;
    uint16_t kExtension = 0;
    uint16_t mExtension = 0;
    uint16_t kStartPt = 0;
    uint16_t mStartPt = 0;
    uint8_t strideW = 1;
    uint8_t strideH = 1;
    uint8_t filterW = 1;
    uint8_t filterH = 1;
    uint8_t dilationFilterW = 1;
    uint8_t dilationFilterH = 1;
    bool enTranspose = false;
    bool enSmallK = false;
    T padValue = 0;
    bool filterSizeW = false;
    bool filterSizeH = false;
    bool fMatrixCtrl = false;
    LoadData3DParamsV2() = default;
    LoadData3DParamsV2(const uint8_t padListIn[4], uint16_t l1HIn, uint16_t l1WIn, uint16_t channelSizeIn,
                       uint16_t kExtensionIn, uint16_t mExtensionIn, uint16_t kStartPtIn, uint16_t mStartPtIn,
                       uint8_t strideWIn, uint8_t strideHIn, uint8_t filterWIn, uint8_t filterHIn,
                       uint8_t dilationFilterWIn, uint8_t dilationFilterHIn, bool enTransposeIn, bool enSmallKIn,
                       T padValueIn, bool filterSizeWIn = false, bool filterSizeHIn = false,
                       bool fMatrixCtrlIn = false)
        : l1H(l1HIn),
          l1W(l1WIn),
          channelSize(channelSizeIn),
          kExtension(kExtensionIn),
          mExtension(mExtensionIn),
          kStartPt(kStartPtIn),
          mStartPt(mStartPtIn),
          strideW(strideWIn),
          strideH(strideHIn),
          filterW(filterWIn),
          filterH(filterHIn),
          dilationFilterW(dilationFilterWIn),
          dilationFilterH(dilationFilterHIn),
          enTranspose(enTransposeIn),
          enSmallK(enSmallKIn),
          padValue(padValueIn),
          filterSizeW(filterSizeWIn),
          filterSizeH(filterSizeHIn),
          fMatrixCtrl(fMatrixCtrlIn) {
        for (int i = 0; i < 4; ++i) padList[i] = padListIn[i];
    }
};

struct IsResetLoad3dConfig {
    constexpr IsResetLoad3dConfig(bool isSetFMatrixIn, bool isSetPaddingIn)
        : isSetFMatrix(isSetFMatrixIn), isSetPadding(isSetPaddingIn) {}
    bool isSetFMatrix = true;
    bool isSetPadding = true;
};
constexpr IsResetLoad3dConfig IS_RESER_LOAD3D_DEFAULT_CONFIG = {true, true};

struct MmadParams {
    uint16_t m = 0;
    uint16_t n = 0;
    uint16_t k = 0;
    bool isBias = false;
    int32_t fmOffset = 0;
    bool enSsparse = false;
    bool enWinogradA = false;
    bool enWinogradB = false;
    uint8_t unitFlag = 0;
    bool kDirectionAlign = false;
    bool cmatrixSource = false;
    bool cmatrixInitVal = true;
    MmadParams() = default;
    MmadParams(uint16_t mIn, uint16_t nIn, uint16_t kIn, bool isBiasIn, int32_t fmOffsetIn, bool enSsparseIn,
               bool enWinogradAIn, bool enWinogradBIn)
        : m(mIn),
          n(nIn),
          k(kIn),
          isBias(isBiasIn),
          fmOffset(fmOffsetIn),
          enSsparse(enSsparseIn),
          enWinogradA(enWinogradAIn),
          enWinogradB(enWinogradBIn) {}
    MmadParams(uint16_t mIn, uint16_t nIn, uint16_t kIn, uint8_t unitFlagIn, bool cmatrixSourceIn,
               bool cmatrixInitValIn)
        : m(mIn), n(nIn), k(kIn), unitFlag(unitFlagIn), cmatrixSource(cmatrixSourceIn), cmatrixInitVal(cmatrixInitValIn) {}
};

// SetFmatrix: the FMATRIX (left) register read by Load3D when its config does not reset it.
inline void SetFmatrix(uint16_t l1H, uint16_t l1W, const uint8_t padList[4], const FmatrixMode& fmatrixMode) {
    if (!qconv::sim::RunsOnCube()) return;
    if (fmatrixMode != FmatrixMode::FMATRIX_LEFT) {
        qconv::sim::Fail("SetFmatrix: only FMATRIX_LEFT is supported (fMatrixCtrl = false)" + qconv::sim::Cur().Where());
    }
    auto& f = qconv::sim::Cur().fmatrix;
    f.l1h = l1H;
    f.l1w = l1W;
    for (int i = 0; i < 4; ++i) f.pad[i] = padList[i];
}

// SetLoadDataPaddingValue. b16 writes the bit pattern. On arch 2002, b8 writes (v << 8) | v with
// v = uint16_t(padValue), as leideng/CANN-8.1.RC1 .../basic_api/impl/dav_m200/kernel_operator_mm_impl.h
// (Load3DSetPaddingCal) does: for a signed int8 the cast sign-extends, so int8_t(-3) writes 0xFFFD, not 0xFDFD. Load3D then checks the b8 rule PADDING[15:8] == PADDING[7:0] (RunLoad3D).
// On 2201 the twin writes the byte twice (the kernel passes uint8_t, for which both forms agree).
template <typename T>
inline void SetLoadDataPaddingValue(const T padValue) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2, "the twin models 8- and 16-bit Load3D padding");
    if (!qconv::sim::RunsOnCube()) return;
    uint16_t bits = 0;
    std::memcpy(&bits, &padValue, sizeof(T));
#if __NPU_ARCH__ == 2002
    if (sizeof(T) == 1) {
        const uint16_t v = static_cast<uint16_t>(padValue);  // sign-extends a negative int8_t
        bits = static_cast<uint16_t>((v << 8) | v);
    }
    qconv::sim::Cur().load3d_pad_bits = bits;
#else
    qconv::sim::Cur().load3d_pad_bits = sizeof(T) == 1 ? static_cast<uint32_t>((bits & 0xFF) << 8 | (bits & 0xFF)) : bits;
#endif
}

// Arch 2002 rules of Load3D v2 for the 8- and 16-bit types the twin models, from the 310P bullet of
// mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/矩阵计算（ISASI）/矩阵计算的搬入/LoadData_3D.md (约束说明)
// and the 2002 branch of leideng/CANN-8.1.RC1 .../basic_api/impl/kernel_operator_mm_check.h
// (CheckLoadData3dv2ChannelSize, CheckLoadData3dv2MatrixParams: __CCE_AICORE__ == 200).
inline void CheckLoad3dV2Arch2002(const char* api, uint32_t elem_bytes, uint32_t channel_size, uint32_t m_start) {
    using namespace qconv::sim;
    const bool b8 = elem_bytes == 1;
    const uint32_t blk = b8 ? 32 : 16;  // elements of one 32-byte block
    const uint32_t rem = channel_size % blk;
    const bool ok = b8 ? (channel_size == 32 || (channel_size > 0 && (rem == 4 || rem == 8 || rem == 16)))
                       : (channel_size == 16 || (channel_size > 0 && (rem == 4 || rem == 8)));
    if (!ok) {
        Fail(Format("%s: channelSize = %u is not allowed on arch 2002 for %s: it must be %s (LoadData_3D.md, "
                    "约束说明, Atlas 推理系列产品 AI Core; CANN 8.1.RC1 kernel_operator_mm_check.h "
                    "CheckLoadData3dv2ChannelSize, __CCE_AICORE__ == 200)%s",
                    api, channel_size, b8 ? "int8_t/uint8_t" : "half",
                    b8 ? "4, 8, 16, 32, N*32+4, N*32+8 or N*32+16" : "4, 8, 16, N*16+4 or N*16+8",
                    Cur().Where().c_str()));
    }
    if (m_start % 16 != 0) {
        Fail(Format("%s: mStartPt = %u is not a multiple of 16, required on arch 2002 for int8_t/half "
                    "(CANN 8.1.RC1 kernel_operator_mm_check.h CheckLoadData3dv2MatrixParams, __CCE_AICORE__ == 200)%s",
                    api, m_start, Cur().Where().c_str()));
    }
}

// LoadData 2D, L1 -> L0A/L0B (MTE1) or GM -> L0A/L0B/L1 (MTE2): LoadData_2D.md.
template <typename T>
inline void LoadData(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LoadData2DParams& params) {
    using namespace qconv::sim;
    const char* api = "LoadData(2D, L1->L0)";
    if (!RunsOnCube()) return;
    if (src.SimMem() != Mem::kL1 || (dst.SimMem() != Mem::kL0A && dst.SimMem() != Mem::kL0B)) {
        Fail(Format("%s: source must be in L1 and destination in L0A/L0B, got %s -> %s%s", api, MemName(src.SimMem()),
                    MemName(dst.SimMem()), Cur().Where().c_str()));
    }
    if (params.addrMode != 0) Fail(Format("%s: addrMode decrement is only for GM -> L1%s", api, Cur().Where().c_str()));
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api, "src");
    CheckAlign(api, "dst", ds, 512);
    CheckAlign(api, "src", ss, 32);
    RunLoad2D(Cur(), Pipe::kMte1, api, ds, ss,
              Load2D{params.startIndex, params.repeatTimes, params.srcStride, params.dstGap, params.ifTranspose, false,
                     static_cast<uint32_t>(sizeof(T))});
}
template <typename T>
inline void LoadData(const LocalTensor<T>& dst, const GlobalTensor<T>& src, const LoadData2DParams& params) {
    using namespace qconv::sim;
    const char* api = "LoadData(2D, GM->local)";
    if (!RunsOnCube()) return;
    const Mem d = dst.SimMem();
    if (d != Mem::kL1 && d != Mem::kL0A && d != Mem::kL0B) {
        Fail(Format("%s: destination must be L1, L0A or L0B, got %s%s", api, MemName(d), Cur().Where().c_str()));
    }
    if (params.ifTranspose) Fail(Format("%s: ifTranspose is for L1 sources only%s", api, Cur().Where().c_str()));
    if (params.addrMode != 0 && d != Mem::kL1) Fail(Format("%s: addrMode decrement is only for GM -> L1%s", api, Cur().Where().c_str()));
    const Span ds = dst.SimSpan(api, "dst");
    CheckAlign(api, "dst", ds, d == Mem::kL1 ? 32 : 512);
    RunLoad2D(Cur(), Pipe::kMte2, api, ds, src.SimSpan(api),
              Load2D{params.startIndex, params.repeatTimes, params.srcStride, params.dstGap, false, params.addrMode != 0,
                     static_cast<uint32_t>(sizeof(T))});
}

// LoadData 3D v2 (img2col), L1 -> L0A: LoadData_3D.md, pseudo-code load3d.py. With a config field true the
// call first writes the FMATRIX / padding registers from the params; with false it uses SetFmatrix /
// SetLoadDataPaddingValue values.
template <typename T, const IsResetLoad3dConfig& defaultConfig = IS_RESER_LOAD3D_DEFAULT_CONFIG, typename U = T,
          typename std::enable_if<std::is_same<T, U>::value, bool>::type = true>
inline void LoadData(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LoadData3DParamsV2<U>& params) {
    using namespace qconv::sim;
    const char* api = "LoadData(3Dv2)";
    static_assert(sizeof(T) == 1 || sizeof(T) == 2, "the twin models Load3D v2 for 8- and 16-bit types");
    if (!RunsOnCube()) return;
    Core& c = Cur();
    if (src.SimMem() != Mem::kL1 || dst.SimMem() != Mem::kL0A) {
        Fail(Format("%s: the twin models L1 -> L0A (b8 cannot go to L0B), got %s -> %s%s", api, MemName(src.SimMem()),
                    MemName(dst.SimMem()), c.Where().c_str()));
    }
    if (params.enTranspose && sizeof(T) == 1) Fail(Format("%s: enTranspose is not allowed for b8%s", api, c.Where().c_str()));
    if (params.enTranspose) Fail(Format("%s: enTranspose is not modelled by the twin%s", api, c.Where().c_str()));
    if (params.fMatrixCtrl) Fail(Format("%s: fMatrixCtrl = true (right FMATRIX) is not supported%s", api, c.Where().c_str()));
    if (params.strideW < 1 || params.strideW > 63 || params.strideH < 1 || params.strideH > 63) {
        Fail(Format("%s: strideW = %u / strideH = %u is out of the allowed range [1, 63]%s", api, params.strideW,
                    params.strideH, c.Where().c_str()));
    }
    if (params.dilationFilterW < 1 || params.dilationFilterH < 1) {
        Fail(Format("%s: dilationFilterW = %u / dilationFilterH = %u is out of the allowed range [1, 255]%s", api,
                    params.dilationFilterW, params.dilationFilterH, c.Where().c_str()));
    }
    if (defaultConfig.isSetFMatrix) SetFmatrix(params.l1H, params.l1W, params.padList, FmatrixMode::FMATRIX_LEFT);
    if (defaultConfig.isSetPadding) SetLoadDataPaddingValue<T>(params.padValue);
#if __NPU_ARCH__ == 2002
    CheckLoad3dV2Arch2002(api, sizeof(T), params.channelSize, params.mStartPt);
    // 2002 ignores filterSize* (filters limited to 255), dav_m200 kernel_operator_mm_impl.h.
    const uint32_t fw = params.filterW, fh = params.filterH;
#else
    const uint32_t fw = params.filterW + (params.filterSizeW ? 256u : 0u);
    const uint32_t fh = params.filterH + (params.filterSizeH ? 256u : 0u);
#endif
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api, "src");
    CheckAlign(api, "dst", ds, 512);
    CheckAlign(api, "src", ss, 32);
    const auto& f = c.fmatrix;
    Load3D p{static_cast<uint32_t>(sizeof(T)), f.l1h, f.l1w, f.pad[0], f.pad[1], f.pad[2], f.pad[3],
             params.channelSize, params.kExtension, params.mExtension, params.kStartPt, params.mStartPt,
             params.strideW, params.strideH, fw, fh, params.dilationFilterW, params.dilationFilterH,
             c.load3d_pad_bits};
    RunLoad3D(c, api, ds, ss, p);
}

#if __NPU_ARCH__ == 2201
// LoadDataWithTranspose (2201 only): each repeat turns one 32x32 int8 square into two transposed 16x32
// fractals. The twin models b8.
template <typename T>
inline void LoadDataWithTranspose(const LocalTensor<T>& dst, const LocalTensor<T>& src,
                                  const LoadData2dTransposeParams& params) {
    using namespace qconv::sim;
    const char* api = "LoadDataWithTranspose";
    static_assert(sizeof(T) == 1, "the twin models LoadDataWithTranspose for 8-bit types");
    if (!RunsOnCube()) return;
    if (src.SimMem() != Mem::kL1 || (dst.SimMem() != Mem::kL0A && dst.SimMem() != Mem::kL0B)) {
        Fail(Format("%s: source must be in L1 and destination in L0A/L0B%s", api, Cur().Where().c_str()));
    }
    if (params.addrMode != 0) Fail(Format("%s: addrMode must be 0%s", api, Cur().Where().c_str()));
    const Span ds = dst.SimSpan(api, "dst"), ss = src.SimSpan(api, "src");
    CheckAlign(api, "dst", ds, 512);
    CheckAlign(api, "src", ss, 32);
    RunLoad2DTransposeB8(Cur(), api, ds, ss,
                         Load2DTranspose{params.startIndex, params.repeatTimes, params.srcStride, params.dstGap,
                                         params.dstFracGap});
}
#endif

// Mmad: int8 x int8 -> int32 from L0A (Zz) and L0B (Zn) into L0C (Nz). cmatrixInitVal (masked by the
// deprecated isBias) overwrites, otherwise accumulates; cmatrixSource (bias table) is not modelled.
template <typename DstT, typename Src0T, typename Src1T>
inline void Mmad(const LocalTensor<DstT>& dst, const LocalTensor<Src0T>& fm, const LocalTensor<Src1T>& filter,
                 const MmadParams& params) {
    using namespace qconv::sim;
    const char* api = "Mmad";
    static_assert(std::is_same<DstT, int32_t>::value && std::is_same<Src0T, int8_t>::value &&
                      std::is_same<Src1T, int8_t>::value,
                  "the twin models Mmad int32 <- int8 x int8");
    if (!RunsOnCube()) return;
    Core& c = Cur();
    if (dst.SimMem() != Mem::kL0C || fm.SimMem() != Mem::kL0A || filter.SimMem() != Mem::kL0B) {
        Fail(Format("%s: operands must be dst in L0C, fm in L0A, filter in L0B; got %s, %s, %s%s", api,
                    MemName(dst.SimMem()), MemName(fm.SimMem()), MemName(filter.SimMem()), c.Where().c_str()));
    }
    if (params.m > 4095 || params.n > 4095 || params.k > 4095) {
        Fail(Format("%s: m = %u, n = %u, k = %u must each be within [0, 4095]%s", api, params.m, params.n, params.k,
                    c.Where().c_str()));
    }
    const bool init_zero = params.cmatrixInitVal && !params.isBias;
    if (!init_zero && params.cmatrixSource) {
        Fail(Format("%s: cmatrixSource = true (bias from the bias table) is not modelled by the twin%s", api,
                    c.Where().c_str()));
    }
    const Span ds = dst.SimSpan(api, "dst"), as = fm.SimSpan(api, "fm"), bs = filter.SimSpan(api, "filter");
    CheckAlign(api, "dst", ds, 1024);
    CheckAlign(api, "fm", as, 512);
    CheckAlign(api, "filter", bs, 512);
    RunMmad(c, api, ds, as, bs, MmadArgs{params.m, params.n, params.k, init_zero});
}

#if __NPU_ARCH__ == 2201
struct FixpipeConfig {
    CO2Layout format;
};
constexpr FixpipeConfig CFG_NZ = {CO2Layout::NZ};
constexpr FixpipeConfig CFG_ROW_MAJOR = {CO2Layout::ROW_MAJOR};
constexpr FixpipeConfig CFG_COLUMN_MAJOR = {CO2Layout::COLUMN_MAJOR};

struct FixpipeParamsV220 {
    uint16_t nSize = 0;
    uint16_t mSize = 0;
    uint16_t srcStride = 0;
    uint32_t dstStride = 0;
    QuantMode_t quantPre = NoQuant;
    uint64_t deqScalar;
    uint16_t ndNum = 1;
    uint16_t srcNdStride = 0;
    uint16_t dstNdStride = 0;
    bool reluEn = false;
    uint8_t unitFlag = 0;
    bool isChannelSplit = false;
    FixpipeParamsV220() : deqScalar(0) {}
    FixpipeParamsV220(uint16_t nSizeIn, uint16_t mSizeIn, uint16_t srcStrideIn, uint32_t dstStrideIn, bool reluEnIn)
        : nSize(nSizeIn), mSize(mSizeIn), srcStride(srcStrideIn), dstStride(dstStrideIn), deqScalar(0), reluEn(reluEnIn) {}
    FixpipeParamsV220(uint16_t nSizeIn, uint16_t mSizeIn, uint16_t srcStrideIn, uint32_t dstStrideIn, bool reluEnIn,
                      QuantMode_t quantPreIn, int64_t deqScalarIn, uint16_t ndNumIn, uint16_t srcNdStrideIn,
                      uint16_t dstNdStrideIn, uint8_t unitFlagIn, bool isChannelSplitIn = false)
        : nSize(nSizeIn),
          mSize(mSizeIn),
          srcStride(srcStrideIn),
          dstStride(dstStrideIn),
          quantPre(quantPreIn),
          deqScalar(static_cast<uint64_t>(deqScalarIn)),
          ndNum(ndNumIn),
          srcNdStride(srcNdStrideIn),
          dstNdStride(dstNdStrideIn),
          reluEn(reluEnIn),
          unitFlag(unitFlagIn),
          isChannelSplit(isChannelSplitIn) {}
};
using FixpipeParamsM300 = FixpipeParamsV220;
using FixpipeParamsM310 = FixpipeParamsV220;

namespace simdetail {
template <typename DstT, typename SrcT>
inline void FixpipeToGm(const char* api, const GlobalTensor<DstT>& dst, const LocalTensor<SrcT>& src,
                        const qconv::sim::Span* words, const FixpipeParamsV220& params, CO2Layout layout) {
    using namespace qconv::sim;
    Core& c = Cur();
    static_assert(std::is_same<SrcT, int32_t>::value, "the twin models Fixpipe from int32 L0C");
    static_assert(std::is_same<DstT, int32_t>::value || std::is_same<DstT, half>::value,
                  "the twin models Fixpipe int32 -> int32 (NoQuant) and int32 -> half (DEQF16 / VDEQF16)");
    if (layout == CO2Layout::COLUMN_MAJOR) Fail(Format("%s: CFG_COLUMN_MAJOR is not supported on arch 2201%s", api, c.Where().c_str()));
    if (src.SimMem() != Mem::kL0C) Fail(Format("%s: source must be in L0C (CO1)%s", api, c.Where().c_str()));
    if (params.isChannelSplit) Fail(Format("%s: isChannelSplit is for float output only%s", api, c.Where().c_str()));
    FixpipeOut out;
    if (std::is_same<DstT, int32_t>::value) {
        if (params.quantPre != NoQuant) Fail(Format("%s: int32 output needs quantPre = NoQuant, got %d%s", api, int(params.quantPre), c.Where().c_str()));
        out = FixpipeOut::kS32;
    } else if (params.quantPre == DEQF16) {
        out = FixpipeOut::kF16Scalar;
        if (words != nullptr) Fail(Format("%s: DEQF16 takes the scalar deqScalar, not a cbufWorkspace%s", api, c.Where().c_str()));
    } else if (params.quantPre == VDEQF16) {
        out = FixpipeOut::kF16Vector;
        if (words == nullptr) Fail(Format("%s: VDEQF16 needs the cbufWorkspace overload%s", api, c.Where().c_str()));
    } else {
        Fail(Format("%s: half output needs quantPre = DEQF16 or VDEQF16, got %d%s", api, int(params.quantPre), c.Where().c_str()));
    }
    const Span ss = src.SimSpan(api, "src");
    const Span ds = dst.SimSpan(api);
    CheckAlign(api, "src", ss, 64);
    if (layout == CO2Layout::NZ) CheckAlign(api, "dst", ds, 32);
    FixpipeArgs a{out, layout == CO2Layout::NZ, params.nSize, params.mSize, params.srcStride, params.dstStride,
                  params.ndNum, params.srcNdStride, params.dstNdStride, params.reluEn, params.deqScalar,
                  static_cast<uint32_t>(sizeof(DstT))};
    RunFixpipe(c, api, ds, ss, words, a);
}
}  // namespace simdetail

// Fixpipe L0C -> GM (2201): Fixpipe（L0C到GM数据搬运）.md. NZ (CFG_NZ) or NZ2ND (CFG_ROW_MAJOR, default).
template <typename DstT, typename SrcT, const FixpipeConfig& config = CFG_ROW_MAJOR>
inline void Fixpipe(const GlobalTensor<DstT>& dst, const LocalTensor<SrcT>& src, const FixpipeParamsV220& params) {
    if (!qconv::sim::RunsOnCube()) return;
    simdetail::FixpipeToGm("Fixpipe", dst, src, nullptr, params, config.format);
}
template <typename DstT, typename SrcT, const FixpipeConfig& config = CFG_ROW_MAJOR, typename BufT = uint64_t,
          typename std::enable_if<std::is_same<BufT, uint64_t>::value, bool>::type = true>
inline void Fixpipe(const GlobalTensor<DstT>& dst, const LocalTensor<SrcT>& src, const LocalTensor<BufT>& cbufWorkspace,
                    const FixpipeParamsV220& params) {
    using namespace qconv::sim;
    if (!RunsOnCube()) return;
    if (cbufWorkspace.SimMem() != Mem::kL1) Fail("Fixpipe: cbufWorkspace must be in L1" + Cur().Where());
    const Span w = cbufWorkspace.SimSpan("Fixpipe", "cbufWorkspace");
    CheckAlign("Fixpipe", "cbufWorkspace", w, 32);
    simdetail::FixpipeToGm("Fixpipe", dst, src, &w, params, config.format);
}
#endif

}  // namespace AscendC
