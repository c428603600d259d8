// Internal state of one Launch shared by all its cores: the GM regions, the cores, the one-at-a-time
// scheduler (with deadlock detection), cross-core flag fan-in and the SyncAll barriers. The kernel API
// headers reach it through Cur().launch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sim/core.h"
#include "sim/launch.h"
#include "sim/memory.h"

namespace qconv::sim {

// Thrown inside cores that are unwound because another core failed (never reaches the caller).
struct AbortUnwind {};

class LaunchState {
public:
    LaunchState(const SocSpec& spec, uint32_t block_dim, std::vector<GmBuffer> args);
    ~LaunchState();

    const SocSpec& spec;
    uint32_t block_dim;
    std::vector<GmBuffer> args;
    std::vector<std::unique_ptr<Region>> gm;
    std::vector<std::unique_ptr<Core>> cores;  // index = thread index
    uint32_t slot_count = 0;                   // cores * pipes: the width of every Clock

    bool split() const;  // arch 2201: AIC + AIVs
    Core* Aic(uint32_t block) const;
    Core* Aiv(uint32_t block, uint32_t sub) const;

    // The GM region holding [p, p+1); nullptr when p is in no argument buffer.
    Region* FindGm(const void* p, uint64_t* offset);

    // ---- scheduling (called by the running core) ----
    // Blocks the calling core until ready() holds; `what` describes the wait for deadlock reports.
    void Block(const std::function<bool()>& ready, const std::string& what);
    void Run(const std::function<void()>& body);  // runs every core to completion or failure
    void RecordError(const std::string& message);
    bool failed() const { return failed_; }
    const std::string& error() const { return error_; }

    // ---- cross-core flags (arch 2201, mode 2) ----
    // pending AIV->AIC sets: [block][flag][sub]
    std::vector<std::vector<std::vector<std::deque<Clock>>>> v2c_pending;

    // ---- SyncAll barriers ----
    struct Barrier {
        uint64_t generation = 0;
        uint32_t arrived = 0;
        Clock join;
        Clock released;
    };
    Barrier sync_all_aiv;   // SyncAll<true> (hard) on 2201
    Barrier sync_all_mix;   // SyncAll<false> (hard) on 2201
    Barrier sync_all_soft;  // SyncAll(gm, ub) on both archs
    // Arrives at b with `participants` cores; returns once all of them arrived.
    void ArriveAndWait(Barrier& b, uint32_t participants, const std::string& what);

private:
    enum class State : uint8_t { kReady, kBlocked, kDone };
    int PickNext(int from);
    std::string DeadlockReport() const;
    void ThreadMain(int index, const std::function<void()>& body);
    void Finish(int index);

    std::mutex mu_;
    std::vector<std::condition_variable> cvs_;  // one per core: a hand-off wakes exactly the next core
    void WakeAll();
    int running_ = -1;
    std::vector<State> state_;
    std::vector<std::function<bool()>> waits_;
    std::vector<std::string> wait_desc_;
    bool failed_ = false;
    std::string error_;
};

}  // namespace qconv::sim
