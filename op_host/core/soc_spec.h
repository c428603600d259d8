// Compile-time facts of one SoC as the tiling engine and the CPU twin need them. Instances come from
// the table generated out of configs/socs.yaml (<qconv_generated/soc_table.h>); with CANN, the
// TilingFunc overrides core counts and buffer sizes with PlatformAscendC's runtime values.
#pragma once

#include <cstdint>

namespace qconv {

enum class CoreTopology : uint32_t {
    kSplit = 0,    // arch 2201: cube cores and vector cores apart, 1 cube : 2 vector, Fixpipe, cross-core flags
    kCoupled = 1,  // arch 2002: one AI core holds cube and vector, no Fixpipe, L0C -> UB through the vector unit
};

// Where the int32 accumulator becomes fp16.
enum class EpilogueKind : uint32_t {
    kVectorFromWorkspace = 0,  // 2201: Fixpipe L0C -> GM workspace (int32), the AIVs dequantize
    kVectorFromL0c = 1,        // 2002: L0C -> UB through the vector unit on the same core, then dequantize
};

struct SocSpec {
    const char* name = "";          // ASCEND_COMPUTE_UNIT / AddConfig name, e.g. "ascend910b"
    uint32_t npu_arch = 0;          // 2201 or 2002
    CoreTopology topology = CoreTopology::kSplit;
    uint32_t cube_cores = 0;        // blocks a kernel may launch (AIC count, or AI cores when coupled)
    uint32_t vector_per_cube = 0;   // 2 when split, 1 when coupled
    // Per-core buffer capacities in bytes (usable by a kernel), and start-address alignments.
    uint64_t l1_bytes = 0;
    uint64_t l0a_bytes = 0;
    uint64_t l0b_bytes = 0;
    uint64_t l0c_bytes = 0;
    uint64_t ub_bytes = 0;
    uint64_t bias_table_bytes = 0;  // 0: none
    uint64_t fixpipe_buffer_bytes = 0;  // 0: none
    uint32_t l1_align = 32;
    uint32_t l0ab_align = 512;
    uint32_t l0c_align = 64;
    uint32_t ub_align = 32;
    uint32_t bias_table_align = 64;
    uint32_t fixpipe_buffer_align = 128;
    uint32_t mmad_dst_align = 1024;  // Mmad destination in L0C
    // int8 cube fractal: M0 x K0 x N0.
    uint32_t m0 = 16;
    uint32_t k0 = 32;
    uint32_t n0 = 16;
    // Cost-model rates (per core per cycle) and clock, cited in socs.yaml.
    uint32_t cube_int8_macs_per_cycle = 0;
    uint32_t l1_to_l0a_bytes_per_cycle = 0;
    uint32_t l1_to_l0b_bytes_per_cycle = 0;
    double gm_bytes_per_cycle_per_core = 0.0;
    double clock_ghz = 0.0;
    bool output_width_one_supported = true;  // 310P: output W == 1 unsupported
    EpilogueKind epilogue = EpilogueKind::kVectorFromWorkspace;
    double l2_bytes_per_cycle_per_core = 0.0;
    uint32_t load3d_k_limit = 65535;  // Load3D v2: K extent of one img2col load
    // Fixed cost of one DMA instruction, and the whole chip's memory (the twin's cycle model uses the same).
    double gm_read_dma_cycles = 0.0;
    double gm_write_dma_cycles = 0.0;
    double l1_to_l0_dma_cycles = 0.0;
    double hbm_bytes_per_second = 0.0;
    double l2_bytes_per_second = 0.0;  // the whole chip's L2 bandwidth (read + write)
    uint64_t l2_bytes = 0;
    // The legacy op's offset_x semantics on this SoC (socs.yaml offset_x_form): true = zero point (v200, 310P:
    // every tap contributes (x - offset_x) * w), false = padding value only.
    bool offset_x_zero_point = false;
};

}  // namespace qconv
