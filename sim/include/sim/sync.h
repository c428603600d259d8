// Intra-core and cross-core synchronization and the block queries (doc pages under mirror-cann/asc-devkit
// docs/zh/api/SIMD-API/基础API/同步控制/ and 系统变量访问/; signatures of CANN 8.1.RC1 basic_api/interface/
// kernel_common.h and kernel_operator_sys_var_intf.h).
#pragma once

#include <cstdint>
#include <string>

#include "op_host/core/soc_spec.h"
#include "sim/core.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/launch_state.h"
#include "sim/tensor.h"

namespace qconv::sim {

const char* HardEventNameOf(int e);

// Whether a HardEvent does anything on the current core: on 2201 the AIC ignores vector events and the
// AIV ignores cube events (interface/kernel_common.h); 2002 has no FIX pipe at all.
inline bool EventActive(AscendC::HardEvent e, const char* api) {
    const EventPipes p = PipesOf(e);
    Core& c = Cur();
    const bool vec = p.src == Pipe::kV || p.dst == Pipe::kV;
    const bool cube = p.src == Pipe::kM || p.dst == Pipe::kM || p.src == Pipe::kMte1 || p.dst == Pipe::kMte1 ||
                      p.src == Pipe::kFix || p.dst == Pipe::kFix;
    if (c.kind == CoreKind::kAiCore) {
        if (p.src == Pipe::kFix || p.dst == Pipe::kFix) {
            Fail(Format("%s<%s>: arch 2002 has no FIX pipe%s", api, HardEventNameOf(static_cast<int>(e)),
                        c.Where().c_str()));
        }
        return true;
    }
    if (c.kind == CoreKind::kAic && vec) return false;
    if (c.kind == CoreKind::kAiv && cube) return false;
    return true;
}

inline void DoSetFlag(AscendC::HardEvent e, int32_t id, const char* api) {
    if (!EventActive(e, api)) return;
    // V_V and FIX_FIX are single-pipe barriers (kernel_common.h): nothing crosses pipes.
    if (e == AscendC::HardEvent::V_V || e == AscendC::HardEvent::FIX_FIX) return;
    Cur().SetHwFlag(static_cast<int>(e), PipesOf(e).src, id, api);
}

inline void DoWaitFlag(AscendC::HardEvent e, int32_t id, const char* api) {
    if (!EventActive(e, api)) return;
    if (e == AscendC::HardEvent::V_V || e == AscendC::HardEvent::FIX_FIX) return;
    Cur().WaitHwFlag(static_cast<int>(e), PipesOf(e).dst, id, api);
}

// TPipe event-id pools: lowest free bit per HardEvent (kernel_tpipe_impl.h AllocEventID).
inline int AllocEvent(AscendC::HardEvent e, const char* api) {
    Core& c = Cur();
    uint64_t& pool = c.event_pool[static_cast<int>(e)];
    for (int id = 0; id < kEventIdsPerHardEvent; ++id) {
        if (!(pool & (uint64_t{1} << id))) {
            pool |= uint64_t{1} << id;
            return id;
        }
    }
    Fail(Format("%s: all %d event ids of %s are in use (too many buffers in flight on one position)%s", api,
                kEventIdsPerHardEvent, HardEventNameOf(static_cast<int>(e)), c.Where().c_str()));
}
inline void ReleaseEvent(AscendC::HardEvent e, int id) {
    Cur().event_pool[static_cast<int>(e)] &= ~(uint64_t{1} << id);
}

inline AscendC::HardEvent EventOfPipes(pipe_t src, pipe_t dst) {
    const Pipe s = PipeOf(src), d = PipeOf(dst);
    for (int e = 0; e < static_cast<int>(AscendC::HardEvent::MAX); ++e) {
        const EventPipes p = PipesOf(static_cast<AscendC::HardEvent>(e));
        if (p.src == s && p.dst == d) return static_cast<AscendC::HardEvent>(e);
    }
    Fail(Format("TQueSync: no hardware event from pipe %d to pipe %d", static_cast<int>(src), static_cast<int>(dst)));
}

}  // namespace qconv::sim

namespace AscendC {

// SetFlag-WaitFlag(ISASI).md: binary flags per (event, id); ids 0..7.
template <HardEvent event>
inline void SetFlag(int32_t eventID) {
    qconv::sim::DoSetFlag(event, eventID, "SetFlag");
}
template <HardEvent event>
inline void WaitFlag(int32_t eventID) {
    qconv::sim::DoWaitFlag(event, eventID, "WaitFlag");
}

// PipeBarrier(ISASI).md. Only PIPE_ALL orders different pipes. PipeBarrier<PIPE_V> (and PIPE_ALL) also
// completes earlier vector instructions before later ones: on arch 2002 the twin requires it between a
// PIPE_V write and a dependent PIPE_V read (Core::CheckRead), since the compiler inserts it only for 2201.
template <pipe_t pipe>
inline void PipeBarrier() {
    static_assert(pipe != PIPE_S, "PipeBarrier<PIPE_S> is not supported (PipeBarrier(ISASI).md)");
#if __NPU_ARCH__ == 2002
    static_assert(pipe != PIPE_FIX, "arch 2002 has no PIPE_FIX");
#endif
    if (pipe == PIPE_ALL) qconv::sim::Cur().BarrierAll();
    if (pipe == PIPE_V) qconv::sim::Cur().BarrierV();
}

// TQueSync模板参数.md.
template <pipe_t src, pipe_t dst>
class TQueSync {
public:
    void SetFlag(TEventID id) { qconv::sim::DoSetFlag(qconv::sim::EventOfPipes(src, dst), id, "TQueSync::SetFlag"); }
    void WaitFlag(TEventID id) {
        qconv::sim::DoWaitFlag(qconv::sim::EventOfPipes(src, dst), id, "TQueSync::WaitFlag");
    }
};

// GetBlockIdx / GetBlockNum / GetSubBlockIdx / GetSubBlockNum / GetTaskRation (系统变量访问/*.md).
inline int64_t GetBlockNum() { return qconv::sim::Cur().launch.block_dim; }
inline int64_t GetSubBlockIdx() {
    const auto& c = qconv::sim::Cur();
    return c.kind == qconv::sim::CoreKind::kAiv ? c.sub_idx : 0;
}
inline int64_t GetSubBlockNum() {
    const auto& c = qconv::sim::Cur();
    return c.kind == qconv::sim::CoreKind::kAiv ? c.spec.vector_per_cube : 1;
}
inline int64_t GetTaskRation() { return GetSubBlockNum(); }
inline int64_t GetBlockIdx() {
    const auto& c = qconv::sim::Cur();
    return c.kind == qconv::sim::CoreKind::kAiv ? int64_t{c.block_idx} * GetTaskRation() + c.sub_idx
                                                 : int64_t{c.block_idx};
}

// Declared on both arches as in the 8.1.RC1 headers; on arch 2002 (no inter-core sync) a call stops the
// run, as the dav_m200 implementation reports "not support".
inline void RequireSplitArch(const char* api) {
#if __NPU_ARCH__ == 2002
    qconv::sim::Fail(std::string(api) + ": arch 2002 has no inter-core synchronization (NPU架构版本2002.md)" +
                     qconv::sim::Cur().Where());
#else
    (void)api;
#endif
}

// CrossCoreSetFlag(ISASI).md / CrossCoreWaitFlag(ISASI).md: per-core 4-bit counters, ids 0..15. The twin
// models mode 2 (AIC <-> its AIVs): an AIC set increments each AIV's counter; a set from every AIV of the
// group increments the AIC's counter. The set fires after earlier work on `pipe`; the wait blocks the core.
template <uint8_t modeId, pipe_t pipe>
inline void CrossCoreSetFlag(uint16_t flagId) {
    static_assert(modeId == 2, "the twin models CrossCoreSetFlag mode 2 (AIC <-> AIV) only");
    using namespace qconv::sim;
    RequireSplitArch("CrossCoreSetFlag");
    Core& c = Cur();
    if (flagId >= kCrossCoreFlags) {
        Fail(Format("CrossCoreSetFlag: flagId = %u is out of the allowed range [0, 15]%s", flagId, c.Where().c_str()));
    }
    if (pipe == PIPE_S || pipe == PIPE_ALL) {
        // mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/同步控制/核间同步/CrossCoreSetFlag(ISASI).md (参数说明:
        // pipe; pipe支持的流水类型说明): modes 0, 1 and 2 do not support PIPE_S or PIPE_ALL. The 8.1.RC1
        // implementation passes the pipe through unchecked, so the hardware would decide.
        Fail(Format("CrossCoreSetFlag<%u, %s>: PIPE_S and PIPE_ALL are not supported for modes 0/1/2 "
                    "(CrossCoreSetFlag(ISASI).md); set the flag on the pipe whose work it publishes (e.g. "
                    "PIPE_MTE2, as ops-nn conv3d_v2 does for a pre-credit)%s",
                    unsigned{modeId}, pipe == PIPE_S ? "PIPE_S" : "PIPE_ALL", c.Where().c_str()));
    }
    const Pipe p = PipeOf(pipe);
    if (p == Pipe::kCount) Fail(Format("CrossCoreSetFlag: pipe %d is not a hardware pipe%s", int(pipe), c.Where().c_str()));
    LaunchState& l = c.launch;
    auto push = [&](Core& target, Clock snap) {
        auto& q = target.cross[flagId].pending;
        if (q.size() >= 15) {
            Fail(Format("CrossCoreSetFlag<2>: flag %u of %s would exceed 15 outstanding sets (hardware exception)%s",
                        flagId, target.name.c_str(), c.Where().c_str()));
        }
        q.push_back(std::move(snap));
    };
    if (c.kind == CoreKind::kAic) {
        for (uint32_t s = 0; s < c.spec.vector_per_cube; ++s) push(*l.Aiv(c.block_idx, s), c.SnapshotOf(p));
        return;
    }
    auto& pend = l.v2c_pending[c.block_idx][flagId];
    if (pend[c.sub_idx].size() >= 15) {
        Fail(Format("CrossCoreSetFlag<2>: %s set flag %u 15 times without the other AIV setting it%s", c.name.c_str(),
                    flagId, c.Where().c_str()));
    }
    pend[c.sub_idx].push_back(c.SnapshotOf(p));
    bool all = true;
    for (const auto& q : pend) all = all && !q.empty();
    if (!all) return;
    Clock join(l.slot_count, 0);
    for (auto& q : pend) {
        for (size_t i = 0; i < join.size(); ++i) join[i] = std::max(join[i], q.front()[i]);
        q.pop_front();
    }
    push(*l.Aic(c.block_idx), std::move(join));
}

template <uint8_t modeId = 0, pipe_t pipe = PIPE_S>
inline void CrossCoreWaitFlag(uint16_t flagId) {
    using namespace qconv::sim;
    RequireSplitArch("CrossCoreWaitFlag");
    Core& c = Cur();
    if (flagId >= kCrossCoreFlags) {
        Fail(Format("CrossCoreWaitFlag: flagId = %u is out of the allowed range [0, 15]%s", flagId, c.Where().c_str()));
    }
    auto& q = c.cross[flagId].pending;
    c.launch.Block([&q] { return !q.empty(); }, Format("CrossCoreWaitFlag(%u)", flagId));
    const Clock snap = std::move(q.front());
    q.pop_front();
    c.ObserveAll(snap);
}

// SyncAll.md, hard form: isAIVOnly = true synchronizes all AIVs of the launch (an AIC call returns);
// false synchronizes every AIC and AIV. Both start with PipeBarrier<PIPE_ALL>.
template <bool isAIVOnly = true>
inline void SyncAll() {
    using namespace qconv::sim;
    RequireSplitArch("SyncAll<isAIVOnly>() (hard form)");
    Core& c = Cur();
    LaunchState& l = c.launch;
    if (isAIVOnly) {
        if (c.kind != CoreKind::kAiv) return;
        l.ArriveAndWait(l.sync_all_aiv, l.block_dim * c.spec.vector_per_cube, "SyncAll<true>()");
    } else {
        l.ArriveAndWait(l.sync_all_mix, static_cast<uint32_t>(l.cores.size()), "SyncAll<false>()");
    }
}

// SyncAll.md, soft form over a zero-initialised GM workspace (>= 32 B per participating core) and a UB
// workspace: AIVs only on 2201 (an AIC call returns), every core on 2002. usedCores = 0 means all.
template <bool isAIVOnly = true>
inline void SyncAll(const GlobalTensor<int32_t>& gmWorkspace, const LocalTensor<int32_t>& ubWorkspace,
                    const int32_t usedCores = 0) {
    using namespace qconv::sim;
    Core& c = Cur();
    LaunchState& l = c.launch;
    if (c.kind == CoreKind::kAic) return;
    const uint32_t all = c.kind == CoreKind::kAiv ? l.block_dim * c.spec.vector_per_cube : l.block_dim;
    const uint32_t participants = usedCores > 0 ? static_cast<uint32_t>(usedCores) : all;
    if (participants > all) {
        Fail(Format("SyncAll: usedCores = %d is out of the allowed range [0, %u]%s", usedCores, all, c.Where().c_str()));
    }
    const Span g = gmWorkspace.SimSpan("SyncAll");
    const uint64_t need = uint64_t{participants} * 32;
    if (need > g.len) {
        Fail(Format("SyncAll: gmWorkspace needs %llu bytes (32 per core) but %s holds %llu from offset %llu%s",
                    static_cast<unsigned long long>(need), g.region->name.c_str(),
                    static_cast<unsigned long long>(g.region->bytes), static_cast<unsigned long long>(g.off),
                    c.Where().c_str()));
    }
    if (const uint16_t o = g.region->FirstPoison(g.off, need)) {
        Fail(Format("SyncAll: gmWorkspace in %s at offset %llu must be zero-initialised but holds undefined data "
                    "(%s)%s",
                    g.region->name.c_str(), static_cast<unsigned long long>(g.off), NameOf(o).c_str(),
                    c.Where().c_str()));
    }
    const Span u = ubWorkspace.SimSpan("SyncAll", "ubWorkspace");
    CheckSpan("SyncAll", "ubWorkspace", u, 0, 32);
    c.Issue(Pipe::kMte3, 32, 0);
    c.Issue(Pipe::kMte2, need, 0);
    l.ArriveAndWait(l.sync_all_soft, participants, "SyncAll(gmWorkspace, ubWorkspace)");
}

}  // namespace AscendC
