// Per-core, per-pipe instruction counters the launcher returns (the twin's profile).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qconv::sim {

// Pipes in the order of pipe_t without PIPE_ALL: S, V, M, MTE1, MTE2, MTE3, FIX.
enum class Pipe : uint8_t { kS = 0, kV, kM, kMte1, kMte2, kMte3, kFix, kCount };
constexpr int kPipeCount = static_cast<int>(Pipe::kCount);
const char* PipeName(Pipe p);  // "SCALAR", "VECTOR", "CUBE", "MTE1", "MTE2", "MTE3", "FIXPIPE"

struct PipeCounter {
    uint64_t instructions = 0;
    uint64_t bytes = 0;     // bytes written by the instruction (MTE*, FIXPIPE, VECTOR, SCALAR)
    uint64_t elements = 0;  // VECTOR: lanes computed; CUBE: multiply-accumulates of whole fractals
};

// Bytes one pipe of one core moved from / into one GM argument buffer ("x", "weight", "workspace", ...):
// the twin's count of what a cycle model charges to HBM or, for a workspace that fits the L2 cache, to L2.
struct GmTraffic {
    uint64_t read = 0;
    uint64_t written = 0;
    uint64_t first_read = 0;  // of `read`, the bytes no earlier read of the launch (by any core) had touched:
                              // the cycle model fetches those from HBM and the re-reads from L2
};

// What a core issued between two all-core barriers (SyncAll): the stretches of a launch that run one
// after another, so a cycle model can add them up instead of overlapping them.
struct PhaseCounters {
    PipeCounter pipe[kPipeCount];
    std::map<std::string, GmTraffic> gm[kPipeCount];  // GM buffer name -> traffic, per pipe
    std::map<std::string, uint64_t> local_written[kPipeCount];  // local buffer ("L0A", "UB", ...) -> bytes written
};

struct CoreCounters {
    PipeCounter pipe[kPipeCount];     // the whole launch
    std::vector<PhaseCounters> phases{1};  // phase i ends at the core's i-th SyncAll
};

}  // namespace qconv::sim
