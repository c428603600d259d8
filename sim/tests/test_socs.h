// SoC descriptions for the twin's tests: the kit's real per-SoC facts (generated from configs/socs.yaml,
// the one home of those numbers) with fewer cores, so that a test launch stays small.
#pragma once

#include <qconv_generated/soc_table.h>

#include "op_host/core/soc_spec.h"

namespace simtest {

inline qconv::SocSpec WithCores(const char* soc, uint32_t cores) {
    qconv::SocSpec s = *qconv::soc_table::Find(soc);
    s.cube_cores = cores;
    return s;
}

inline qconv::SocSpec Soc2201(uint32_t cube_cores = 4) { return WithCores("ascend910b", cube_cores); }
inline qconv::SocSpec Soc2002(uint32_t cores = 4) { return WithCores("ascend310p", cores); }

}  // namespace simtest
