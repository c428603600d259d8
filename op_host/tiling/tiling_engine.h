// The tiling engine of QuantConv2d: from a checked ConvShape and a SocSpec to the tiling-data POD the kernel
// reads, plus a report (buffer use per level, workspace, modelled cost). One C++ core used by the CANN
// TilingFunc, the CPU twin and Python (`qconv-kit tiling`).
#pragma once

#include <cstdint>

#include "op_host/core/conv_shape.h"
#include "op_host/core/soc_spec.h"
#include "op_kernel/quant_conv2d_tiling_data.h"

namespace qconv::tiling {

struct BufferUse {
    uint64_t used_bytes = 0;      // counting every buffer of the level (double buffers included)
    uint64_t capacity_bytes = 0;  // usable bytes of the level on this SoC
};

// Modelled cost of the busiest block (see cost_model.h for the formulas and rates).
struct CostTerms {
    double macs = 0;                 // useful multiply-accumulates of the busiest block
    double cube_cycles = 0;          // 16x32x16 fractal Mmads, one per cycle
    double gm_to_l1_bytes = 0;       // fmap + weight slabs, first touch (GM rate)
    double l2_reread_bytes = 0;      // the same slabs loaded again for other tiles (L2 rate)
    double l1_to_l0a_bytes = 0;      // img2col-expanded fmap
    double l1_to_l0b_bytes = 0;      // weight
    double out_bytes = 0;            // int32 tiles leaving L0C (2201: to GM ws.acc, 2002: to UB)
    double mte2_cycles = 0;
    double mte1_cycles = 0;
    double out_cycles = 0;
    double layout_cycles = 0;        // phase 1: the fmap layout on the vector cores, before the cube phase
    double total_cycles = 0;         // phase 1 + the cube phase (its busiest pipe, or the chip's HBM or L2)
    double time_us = 0;              // total_cycles / clock
    double cube_bound_us = 0;        // roofline floor of the cube for the whole op: MACs / (cores * rate * clock)
    double cube_utilisation = 0;     // cube_cycles / total_cycles of the busiest block
};

struct TilingReport {
    BufferUse l1;
    BufferUse l0a;
    BufferUse l0b;
    BufferUse l0c;
    BufferUse ub;
    uint64_t workspace_bytes = 0;
    uint64_t tiles_per_block = 0;    // busiest block
    uint64_t candidates_evaluated = 0;
    CostTerms cost;
};

struct TilingResult {
    QuantConv2dTilingData data{};
    TilingReport report;
};

// Precondition: the shape passed CheckParams (Ho, Wo > 0, documented ranges). Throws std::invalid_argument
// naming the offending value when it did not, std::runtime_error if no tiling fits the SoC's buffers.
TilingResult ComputeTiling(const ConvShape& shape, const SocSpec& soc);

}  // namespace qconv::tiling
