// The int8 cube's data shapes, stated once for the kernel, the twin and op_host (plain integers, no Ascend C
// types). An int8 fractal is 16 rows x 32 bytes: L0A/L1 rows are output positions (M) or filter K, L0B
// columns output channels (N), and 32 int8 channels are C0 of NC1HWC0 and of FRACTAL_Z (mirror-cann/asc-devkit
// docs/zh/api: Mmad.md, LoadData.md; CANN's int8 DtypeMKN in the platform configs: M 16, K 32, N 16).
#pragma once

#include <stdint.h>

namespace qconv {
namespace fractal {

constexpr uint32_t kM0 = 16;                    // rows of a fractal: output positions
constexpr uint32_t kK0 = 32;                    // int8 K of a fractal: C0 channels
constexpr uint32_t kN0 = 16;                    // columns of a fractal: output channels
constexpr uint32_t kBytes = kM0 * kK0;          // 512 B, one int8 fractal in L1 / L0A / L0B
constexpr uint32_t kDataBlockBytes = 32;        // the unit of DataCopy between GM, L1 and UB (blockLen, strides)
constexpr uint32_t kMaxBlockCount = 4095;       // DataCopyParams::blockCount (12 bits)
constexpr uint32_t kMaxStride = 65535;          // DataCopyParams src/dst strides, blockLen (16 bits)
constexpr uint32_t kMaxLoad2dRepeat = 255;      // LoadData2DParams::repeatTimes (8 bits)

}  // namespace fractal
}  // namespace qconv
