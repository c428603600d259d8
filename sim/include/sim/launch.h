// Running a kernel in the twin. Launch creates every core of block_dim blocks (arch 2201: per block one
// AIC and vector_per_cube AIVs; arch 2002: one coupled AI core per block), runs them as cooperating
// threads of which exactly one executes at a time (deterministic, switched only where a core blocks on
// a cross-core flag or SyncAll), checks the end-of-kernel conditions and returns the per-core counters.
// Any violation surfaces as SimError (see error.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core.h"
#include "sim/counters.h"
#include "sim/error.h"

namespace qconv {
struct SocSpec;
}

namespace qconv::sim {

enum class GmRole : uint8_t {
    kInput = 0,   // defined on entry, never poison
    kOutput,      // starts as poison; poison left in it at the end stops the run
    kWorkspace,   // starts as poison; may stay partly unwritten
    kTiling,      // defined; read by GET_TILING_DATA
};

struct GmBuffer {
    std::string name;       // as messages should name it, e.g. "y"
    void* data = nullptr;   // caller memory; nullptr with bytes 0 = an absent optional input
    uint64_t bytes = 0;
    GmRole role = GmRole::kInput;
};

struct CoreReport {
    std::string name;  // "aic0", "aiv1", "core0"
    CoreKind kind = CoreKind::kAic;
    uint32_t block_idx = 0;
    uint32_t sub_idx = 0;
    CoreCounters counters;
};

struct LaunchResult {
    std::vector<CoreReport> cores;
    // Sum over cores of one pipe.
    PipeCounter Total(Pipe p) const;
};

using GM_ADDR_T = uint8_t*;
// The msopgen kernel entry: (x, weight, scale, bias, y, workspace, tiling).
using Kernel = void (*)(GM_ADDR_T, GM_ADDR_T, GM_ADDR_T, GM_ADDR_T, GM_ADDR_T, GM_ADDR_T, GM_ADDR_T);

// Runs `body` on every core; args are the GM buffers the body may touch. compiled_arch is the
// __NPU_ARCH__ the kernel was compiled for (0 = unknown, not checked against spec.npu_arch).
LaunchResult LaunchBody(const SocSpec& spec, uint32_t block_dim, const std::function<void()>& body,
                        std::vector<GmBuffer> args, uint32_t compiled_arch);

#ifdef __NPU_ARCH__
#define QCONV_SIM_COMPILED_ARCH __NPU_ARCH__
#else
#define QCONV_SIM_COMPILED_ARCH 0
#endif

// Runs a msopgen-style kernel; args[0..6] are the seven GM buffers in parameter order. Further buffers
// are GM the kernel reaches through its arguments (e.g. a zeroed SyncAll area right after the workspace).
inline LaunchResult Launch(const SocSpec& spec, uint32_t block_dim, Kernel fn, std::vector<GmBuffer> args) {
    if (args.size() < 7) {
        throw SimError(Format("Launch: a msopgen kernel takes 7 GM arguments (x, weight, scale, bias, y, "
                              "workspace, tiling), got %zu",
                              args.size()));
    }
    std::vector<GM_ADDR_T> ptrs;
    for (const auto& a : args) ptrs.push_back(static_cast<GM_ADDR_T>(a.data));
    auto body = [fn, ptrs]() { fn(ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6]); };
    return LaunchBody(spec, block_dim, body, std::move(args), QCONV_SIM_COMPILED_ARCH);
}

}  // namespace qconv::sim
