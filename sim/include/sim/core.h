// The state of one simulated core (one AIC, one AIV, or one coupled AI core): its local buffer arenas,
// per-pipe instruction counters, pipe clocks for the synchronization checker, the hardware flags and
// registers the kernel API writes, and the scheduling hooks. Each core runs on its own thread; the
// scheduler lets exactly one core run at a time, so no state here needs atomics.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "op_host/core/soc_spec.h"
#include "sim/counters.h"
#include "sim/memory.h"

namespace qconv::sim {

enum class CoreKind : uint8_t { kAic = 0, kAiv = 1, kAiCore = 2 };  // kAiCore: arch 2002 coupled core

class LaunchState;

// A happens-before snapshot: for every (core, pipe) slot, the last instruction number known complete.
using Clock = std::vector<uint32_t>;

struct HwFlag {  // SetFlag/WaitFlag flag (src pipe, dst pipe, id): binary
    bool set = false;
    Clock snapshot;
    std::string set_by;  // API that set it, for messages
};

struct CrossCoreCounter {  // CrossCoreSetFlag/WaitFlag counter of one core: 0..15
    std::deque<Clock> pending;  // one snapshot per outstanding set, oldest first
};

struct BufferRecord {  // generation of one TQue/TBuf buffer: bumped by FreeTensor
    uint32_t generation = 0;
    std::string owner;  // e.g. "TQue<VECIN> buffer 1"
};

constexpr int kHardEventCount = 36;
constexpr int kEventIdsPerHardEvent = 8;
constexpr int kCrossCoreFlags = 16;

class Core {
public:
    Core(LaunchState& launch, uint32_t thread_index, CoreKind kind, uint32_t block_idx, uint32_t sub_idx);
    ~Core();

    LaunchState& launch;
    const SocSpec& spec;
    uint32_t thread_index;
    CoreKind kind;
    uint32_t block_idx;
    uint32_t sub_idx;
    std::string name;  // "aic0", "aiv1", "core2"

    Region& Arena(Mem m);  // created on first use; fails when this core has no such buffer (e.g. UB on an AIC)

    // ---- counters ----
    CoreCounters counters;

    // ---- synchronization checker ----
    uint32_t seq[kPipeCount] = {};
    Clock vc[kPipeCount];  // vc[p][slot]: what pipe p of this core has observed
    uint16_t Slot(Pipe p) const { return static_cast<uint16_t>(thread_index * kPipeCount + static_cast<int>(p)); }
    // Starts one instruction on pipe p: counts it and advances the pipe's clock.
    void Issue(Pipe p, uint64_t bytes, uint64_t elements);
    // Adds GM traffic of pipe p to the current phase's counters (no-op for local buffers).
    void CountGm(Pipe p, const Region& r, uint64_t off, uint64_t read, uint64_t written);
    // Checks that every granule of [off, off+len) last written by another pipe is ordered before the
    // current instruction of pipe p by flags, barriers, queue hand-offs or cross-core sync.
    void CheckRead(Pipe p, const Region& r, uint64_t off, uint64_t len, const char* api);
    // Records pipe p's current instruction as last writer of [off, off+len).
    void MarkWrite(Pipe p, Region& r, uint64_t off, uint64_t len, uint16_t api_id);
    Clock SnapshotOf(Pipe p) const;               // what a flag set on pipe p carries
    void Observe(Pipe p, const Clock& c);         // pipe p has waited for c
    void ObserveAll(const Clock& c);              // every pipe has waited for c
    Clock SnapshotAll() const;                    // join of every pipe (PipeBarrier<PIPE_ALL>)
    void BarrierAll();                            // PipeBarrier<PIPE_ALL> (also completes PIPE_V, BarrierV)
    void BarrierV() { v_barrier_seq = seq[static_cast<int>(Pipe::kV)]; }  // PipeBarrier<PIPE_V>
    // Arch 2002: PIPE_V instructions up to this number are complete (the last PipeBarrier<PIPE_V>/<PIPE_ALL>).
    uint32_t v_barrier_seq = 0;

    // ---- intra-core flags and the TPipe event-id pools ----
    HwFlag flags[kHardEventCount][kEventIdsPerHardEvent];
    uint64_t event_pool[kHardEventCount] = {};
    void SetHwFlag(int event, Pipe src, int id, const char* api);
    void WaitHwFlag(int event, Pipe dst, int id, const char* api);

    // ---- cross-core flags ----
    CrossCoreCounter cross[kCrossCoreFlags];

    // ---- registers written by the API ----
    struct Fmatrix {
        uint16_t l1h = 0, l1w = 0;
        uint8_t pad[4] = {0, 0, 0, 0};
    } fmatrix;
    uint32_t load3d_pad_bits = 0;  // SetLoadDataPaddingValue bit pattern
    uint64_t mask_high = ~0ULL, mask_low = ~0ULL;
    bool mask_counter_mode = false;
    void ResetVectorState() {
        mask_high = mask_low = ~0ULL;
        mask_counter_mode = false;
    }

    // ---- arch 2002 scalar data cache in front of GM (sim/dcache.h) ----
    struct DcacheLine {
        Region* region = nullptr;
        uint64_t base = 0;  // 64-byte aligned offset in region
        uint32_t len = 0;   // 64, or less at the region's end
        bool dirty = false;
        uint8_t data[64] = {};
        uint16_t poison[64] = {};
        uint8_t filled[64] = {};  // GM at the line fill: bytes no store touched must still match at write-back
        uint64_t stored = 0;      // bit i: byte i was written by a SetValue of this core
    };
    std::deque<DcacheLine> dcache;

    // ---- TPipe bookkeeping ----
    void* tpipe = nullptr;  // the one live TPipe of this core
    uint64_t pool_top[static_cast<int>(Mem::kCount)] = {};
    std::vector<BufferRecord> buffers;

    std::string Where() const;  // " [core aiv3, block 1]" suffix for messages

private:
    std::unique_ptr<Region> arenas_[static_cast<int>(Mem::kCount)];
};

// The core running on this thread; fails outside a Launch.
Core& Cur();
Core* CurOrNull();

// Arch of the core's SoC: 2201 or 2002.
uint32_t CurArch();

}  // namespace qconv::sim
