// Per-core, per-pipe instruction counters the launcher returns (the twin's profile).
#pragma once

#include <cstdint>

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

struct CoreCounters {
    PipeCounter pipe[kPipeCount];
};

}  // namespace qconv::sim
