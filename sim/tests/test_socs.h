// SoC descriptions for the twin's tests, with the per-core buffer sizes of the architecture digests
// (the kit's real table is generated from configs/socs.yaml; the tests must not depend on it).
#pragma once

#include "op_host/core/soc_spec.h"

namespace simtest {

inline qconv::SocSpec Soc2201(uint32_t cube_cores = 4) {
    qconv::SocSpec s;
    s.name = "test-2201";
    s.npu_arch = 2201;
    s.topology = qconv::CoreTopology::kSplit;
    s.cube_cores = cube_cores;
    s.vector_per_cube = 2;
    s.l1_bytes = 512 * 1024;
    s.l0a_bytes = 64 * 1024;
    s.l0b_bytes = 64 * 1024;
    s.l0c_bytes = 128 * 1024;
    s.ub_bytes = 192 * 1024;
    s.bias_table_bytes = 1024;
    s.fixpipe_buffer_bytes = 2048;
    return s;
}

inline qconv::SocSpec Soc2002(uint32_t cores = 4) {
    qconv::SocSpec s;
    s.name = "test-2002";
    s.npu_arch = 2002;
    s.topology = qconv::CoreTopology::kCoupled;
    s.cube_cores = cores;
    s.vector_per_cube = 1;
    s.l1_bytes = 1024 * 1024;
    s.l0a_bytes = 64 * 1024;
    s.l0b_bytes = 64 * 1024;
    s.l0c_bytes = 256 * 1024;
    s.ub_bytes = 256 * 1024;
    return s;
}

}  // namespace simtest
