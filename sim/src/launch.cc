#include "sim/launch.h"

#include <algorithm>
#include <thread>

#include "op_host/core/soc_spec.h"
#include "sim/dcache.h"
#include "sim/launch_state.h"

namespace qconv::sim {

void SetCurrentCore(Core* c);
const char* HardEventNameOf(int e);

PipeCounter LaunchResult::Total(Pipe p) const {
    PipeCounter t;
    for (const auto& c : cores) {
        const PipeCounter& x = c.counters.pipe[static_cast<int>(p)];
        t.instructions += x.instructions;
        t.bytes += x.bytes;
        t.elements += x.elements;
    }
    return t;
}

LaunchState::LaunchState(const SocSpec& s, uint32_t bd, std::vector<GmBuffer> a)
    : spec(s), block_dim(bd), args(std::move(a)) {
    for (const auto& b : args) {
        if (b.data == nullptr) continue;
        auto r = std::make_unique<Region>();
        r->name = "GM " + b.name;
        r->mem = Mem::kGm;
        r->data = static_cast<uint8_t*>(b.data);
        r->bytes = b.bytes;
        r->is_output = b.role == GmRole::kOutput;
        const bool defined = b.role == GmRole::kInput || b.role == GmRole::kTiling;
        r->InitShadow(defined ? 0 : InternName("never-written " + r->name));
        r->read_seen.assign(r->bytes, 0);  // the first-read count of the cycle model (Core::CountGm)
        gm.push_back(std::move(r));
    }
    const uint32_t per_block = split() ? 1 + spec.vector_per_cube : 1;
    slot_count = block_dim * per_block * kPipeCount;
    for (uint32_t b = 0; b < block_dim; ++b) {
        const auto base = static_cast<uint32_t>(cores.size());
        if (split()) {
            cores.push_back(std::make_unique<Core>(*this, base, CoreKind::kAic, b, 0));
            for (uint32_t v = 0; v < spec.vector_per_cube; ++v) {
                cores.push_back(std::make_unique<Core>(*this, base + 1 + v, CoreKind::kAiv, b, v));
            }
        } else {
            cores.push_back(std::make_unique<Core>(*this, base, CoreKind::kAiCore, b, 0));
        }
    }
    if (split()) {
        v2c_pending.assign(block_dim, std::vector<std::vector<std::deque<Clock>>>(
                                          kCrossCoreFlags, std::vector<std::deque<Clock>>(spec.vector_per_cube)));
    }
    cvs_ = std::vector<std::condition_variable>(cores.size());
    state_.assign(cores.size(), State::kReady);
    waits_.resize(cores.size());
    wait_desc_.resize(cores.size());
}

LaunchState::~LaunchState() = default;

bool LaunchState::split() const { return spec.topology == CoreTopology::kSplit; }

Core* LaunchState::Aic(uint32_t block) const { return cores[block * (1 + spec.vector_per_cube)].get(); }
Core* LaunchState::Aiv(uint32_t block, uint32_t sub) const {
    return cores[block * (1 + spec.vector_per_cube) + 1 + sub].get();
}

Region* LaunchState::FindGm(const void* p, uint64_t* offset) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (auto& r : gm) {
        if (b >= r->data && b < r->data + r->bytes) {
            *offset = static_cast<uint64_t>(b - r->data);
            return r.get();
        }
    }
    return nullptr;
}

void LaunchState::WakeAll() {
    for (auto& cv : cvs_) cv.notify_all();
}

void LaunchState::RecordError(const std::string& message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) {
        failed_ = true;
        error_ = message;
    }
    WakeAll();
}

int LaunchState::PickNext(int from) {
    const int n = static_cast<int>(cores.size());
    for (int k = 1; k <= n; ++k) {
        const int j = (from + k) % n;
        if (state_[j] == State::kReady) return j;
        if (state_[j] == State::kBlocked && waits_[j]()) return j;
    }
    return -1;
}

std::string LaunchState::DeadlockReport() const {
    std::string s = "deadlock: every core that has not finished is blocked:";
    for (size_t i = 0; i < cores.size(); ++i) {
        if (state_[i] == State::kBlocked) s += "\n  " + cores[i]->name + " waits in " + wait_desc_[i];
    }
    std::string done;
    for (size_t i = 0; i < cores.size(); ++i) {
        if (state_[i] == State::kDone) done += (done.empty() ? "" : ", ") + cores[i]->name;
    }
    if (!done.empty()) s += "\n  finished: " + done;
    return s;
}

void LaunchState::Block(const std::function<bool()>& ready, const std::string& what) {
    const int me = static_cast<int>(Cur().thread_index);
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
        if (failed_) throw AbortUnwind{};
        if (ready()) return;
        state_[me] = State::kBlocked;
        waits_[me] = ready;
        wait_desc_[me] = what;
        const int next = PickNext(me);
        if (next < 0) {
            if (!failed_) {
                failed_ = true;
                error_ = DeadlockReport();
            }
            WakeAll();
            lock.unlock();
            const char* abort_env = std::getenv("QCONV_SIM_ABORT");
            if (abort_env != nullptr && abort_env[0] == '1') Fail(error_);
            throw AbortUnwind{};
        }
        running_ = next;
        cvs_[next].notify_one();
        cvs_[me].wait(lock, [&] { return running_ == me || failed_; });
        state_[me] = State::kReady;
    }
}

void LaunchState::Finish(int index) {
    std::unique_lock<std::mutex> lock(mu_);
    state_[index] = State::kDone;
    if (!failed_) {
        const int next = PickNext(index);
        if (next >= 0) {
            running_ = next;
            cvs_[next].notify_one();
            return;
        } else if (std::any_of(state_.begin(), state_.end(), [](State s) { return s != State::kDone; })) {
            failed_ = true;
            error_ = DeadlockReport();
        }
    }
    WakeAll();
}

void LaunchState::ThreadMain(int index, const std::function<void()>& body) {
    {
        std::unique_lock<std::mutex> lock(mu_);
        cvs_[index].wait(lock, [&] { return running_ == index || failed_; });
        if (failed_) {
            lock.unlock();
            Finish(index);
            return;
        }
    }
    Core* core = cores[index].get();
    SetCurrentCore(core);
    try {
        body();
        // Lines still dirty when the core ends reach GM (a kernel without TPipe::Destroy; sim/dcache.h).
        if (DcacheModelled(*core)) DcacheCleanInvalidate(*core, nullptr, 0, "end of kernel");
        // A SetFlag never waited would hang a later PipeBarrier<PIPE_ALL> on hardware.
        for (int e = 0; e < kHardEventCount; ++e) {
            for (int id = 0; id < kEventIdsPerHardEvent; ++id) {
                if (core->flags[e][id].set) {
                    Fail(Format("end of kernel: flag %s id %d was set (by %s) and never waited%s",
                                HardEventNameOf(e), id, core->flags[e][id].set_by.c_str(), core->Where().c_str()));
                }
            }
        }
    } catch (const SimError& e) {
        RecordError(e.what());
    } catch (const AbortUnwind&) {
    } catch (const std::exception& e) {
        RecordError(Format("%s: the kernel threw %s%s", core->name.c_str(), e.what(), core->Where().c_str()));
    }
    SetCurrentCore(nullptr);
    Finish(index);
}

void LaunchState::Run(const std::function<void()>& body) {
    running_ = 0;
    std::vector<std::thread> threads;
    threads.reserve(cores.size());
    for (size_t i = 0; i < cores.size(); ++i) {
        threads.emplace_back([this, i, &body] { ThreadMain(static_cast<int>(i), body); });
    }
    for (auto& t : threads) t.join();
}

void LaunchState::ArriveAndWait(Barrier& b, uint32_t participants, const std::string& what) {
    Core& me = Cur();
    me.BarrierAll();
    const Clock mine = me.SnapshotAll();
    if (b.join.empty()) b.join.assign(slot_count, 0);
    for (size_t i = 0; i < mine.size(); ++i) b.join[i] = std::max(b.join[i], mine[i]);
    const uint64_t gen = b.generation;
    if (++b.arrived == participants) {
        b.released = b.join;
        b.join.assign(slot_count, 0);
        b.arrived = 0;
        ++b.generation;
    } else {
        Block([&b, gen] { return b.generation != gen; }, what);
    }
    me.ObserveAll(b.released);
    me.counters.phases.emplace_back();  // what follows a barrier runs after everything before it
}

namespace {

void EndOfKernelChecks(LaunchState& st) {
    for (const auto& c : st.cores) {
        for (int f = 0; f < kCrossCoreFlags; ++f) {
            if (!c->cross[f].pending.empty()) {
                Fail(Format("end of kernel: cross-core flag %d of %s still counts %zu set(s) nobody waited for "
                            "(unmatched CrossCoreSetFlag)",
                            f, c->name.c_str(), c->cross[f].pending.size()));
            }
        }
    }
    for (uint32_t b = 0; b < st.v2c_pending.size(); ++b) {
        for (int f = 0; f < kCrossCoreFlags; ++f) {
            for (uint32_t s = 0; s < st.v2c_pending[b][f].size(); ++s) {
                if (!st.v2c_pending[b][f][s].empty()) {
                    Fail(Format("end of kernel: CrossCoreSetFlag<2> flag %d from %s has no matching set from the "
                                "other AIV of block %u, so the AIC counter never moved",
                                f, st.Aiv(b, s)->name.c_str(), b));
                }
            }
        }
    }
    for (const auto& r : st.gm) {
        if (!r->is_output) continue;
        const uint16_t* p = r->poison.data();
        for (uint64_t i = 0; i < r->bytes; ++i) {
            if (p[i] == 0) continue;
            uint64_t j = i;
            while (j < r->bytes && p[j] != 0) ++j;
            uint64_t total = 0;
            for (uint64_t k = 0; k < r->bytes; ++k) total += p[k] != 0;
            Fail(Format("undefined data reached the output %s: bytes [%llu, %llu) (and %llu poisoned bytes in "
                        "all) hold values first produced by: %s",
                        r->name.c_str(), static_cast<unsigned long long>(i), static_cast<unsigned long long>(j),
                        static_cast<unsigned long long>(total), NameOf(p[i]).c_str()));
        }
    }
}

}  // namespace

LaunchResult LaunchBody(const SocSpec& spec, uint32_t block_dim, const std::function<void()>& body,
                        std::vector<GmBuffer> args, uint32_t compiled_arch) {
    if (compiled_arch != 0 && compiled_arch != spec.npu_arch) {
        Fail(Format("Launch: the kernel was compiled for arch %u but the SoC %s is arch %u", compiled_arch,
                    spec.name, spec.npu_arch));
    }
    if (block_dim < 1 || block_dim > spec.cube_cores) {
        Fail(Format("Launch: block_dim = %u is out of the allowed range [1, %u] for %s", block_dim, spec.cube_cores,
                    spec.name));
    }
    if (spec.topology == CoreTopology::kSplit && spec.vector_per_cube == 0) {
        Fail(Format("Launch: SoC %s is split but vector_per_cube = 0", spec.name));
    }
    LaunchState st(spec, block_dim, std::move(args));
    st.Run(body);
    if (st.failed()) Fail(st.error());
    EndOfKernelChecks(st);
    LaunchResult result;
    for (const auto& c : st.cores) {
        result.cores.push_back(CoreReport{c->name, c->kind, c->block_idx, c->sub_idx, c->counters});
    }
    return result;
}

}  // namespace qconv::sim
