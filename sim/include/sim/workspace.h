// GetUserWorkspace (workspace/GetUserWorkspace.md; 8.1.RC1: `__aicore__ inline GM_ADDR GetUserWorkspace(GM_ADDR
// workspace)`). On the NPU the `workspace` kernel argument points at the system workspace followed by the
// user workspace, and this returns the start of the user part. The twin's launcher passes the user workspace
// alone (there is no system workspace: no high-level API of the kernel needs one), so the pointer comes back
// unchanged. A null workspace stops the run, as CANN's CPU-debug build asserts.
#pragma once

#include <cstdint>

#include "sim/error.h"
#include "sim/kernel_macros.h"

namespace AscendC {

__aicore__ inline GM_ADDR GetUserWorkspace(GM_ADDR workspace) {
    if (workspace == nullptr) {
        qconv::sim::Fail("GetUserWorkspace: workspace is nullptr (the launcher passed no workspace)");
    }
    return workspace;
}

}  // namespace AscendC
