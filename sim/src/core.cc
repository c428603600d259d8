#include "sim/core.h"

#include <algorithm>
#include <mutex>

#include "op_host/core/soc_spec.h"
#include "sim/error.h"
#include "sim/launch_state.h"
#include "sim/positions.h"

namespace qconv::sim {
namespace {
thread_local Core* tls_core = nullptr;

const char* HardEventName(int e) {
    static const char* const kNames[kHardEventCount] = {
        "MTE2_MTE1", "MTE1_MTE2", "MTE1_M",  "M_MTE1",    "MTE2_V",    "V_MTE2",   "MTE3_V",   "V_MTE3",   "M_V",
        "V_M",       "V_V",       "MTE3_MTE1", "MTE1_MTE3", "MTE1_V",  "MTE2_M",   "M_MTE2",   "V_MTE1",   "M_FIX",
        "FIX_M",     "MTE3_MTE2", "MTE2_MTE3", "S_V",       "V_S",     "S_MTE2",   "MTE2_S",   "S_MTE3",   "MTE3_S",
        "MTE2_FIX",  "FIX_MTE2",  "FIX_S",     "M_S",       "FIX_MTE3", "MTE1_FIX", "FIX_MTE1", "FIX_FIX",  "MAX"};
    return (e >= 0 && e < kHardEventCount) ? kNames[e] : "?";
}
}  // namespace

void SetCurrentCore(Core* c) { tls_core = c; }

Core& Cur() {
    if (tls_core == nullptr) Fail("kernel API called outside a qconv::sim::Launch");
    return *tls_core;
}
Core* CurOrNull() { return tls_core; }
uint32_t CurArch() { return Cur().spec.npu_arch; }

const char* PipeName(Pipe p) {
    switch (p) {
        case Pipe::kS: return "SCALAR";
        case Pipe::kV: return "VECTOR";
        case Pipe::kM: return "CUBE";
        case Pipe::kMte1: return "MTE1";
        case Pipe::kMte2: return "MTE2";
        case Pipe::kMte3: return "MTE3";
        case Pipe::kFix: return "FIXPIPE";
        case Pipe::kCount: break;
    }
    return "?";
}

const char* HardEventNameOf(int e) { return HardEventName(e); }

Core::Core(LaunchState& l, uint32_t index, CoreKind k, uint32_t block, uint32_t sub)
    : launch(l), spec(l.spec), thread_index(index), kind(k), block_idx(block), sub_idx(sub) {
    switch (kind) {
        case CoreKind::kAic: name = Format("aic%u", block); break;
        case CoreKind::kAiv: name = Format("aiv%u", block * spec.vector_per_cube + sub); break;
        case CoreKind::kAiCore: name = Format("core%u", block); break;
    }
    for (auto& c : vc) c.assign(l.slot_count, 0);
}

Core::~Core() = default;

// Arenas are created on first use (a launch of many cores touches few of them per core kind).
Region& Core::Arena(Mem m) {
    auto& r = arenas_[static_cast<int>(m)];
    if (r) return *r;
    const bool cube_mem = m == Mem::kL1 || m == Mem::kL0A || m == Mem::kL0B || m == Mem::kL0C || m == Mem::kBias ||
                          m == Mem::kFixbuf;
    const bool has = m == Mem::kUb ? kind != CoreKind::kAic : (cube_mem && kind != CoreKind::kAiv);
    const uint64_t bytes = has ? PoolBytes(spec, m) : 0;
    if (bytes == 0) Fail(Format("%s has no %s buffer%s", name.c_str(), MemName(m), Where().c_str()));
    r = std::make_unique<Region>();
    r->name = Format("%s of %s", MemName(m), name.c_str());
    r->mem = m;
    r->bytes = bytes;
    r->storage.assign(bytes, 0xA5);  // arbitrary stale bytes; the poison shadow marks them undefined
    r->data = r->storage.data();
    r->InitShadow(InternName("never-written " + r->name));
    return *r;
}

std::string Core::Where() const { return Format(" [core %s, block %u]", name.c_str(), block_idx); }

void Core::Issue(Pipe p, uint64_t bytes, uint64_t elements) {
    const int i = static_cast<int>(p);
    ++seq[i];
    vc[i][Slot(p)] = seq[i];
    for (PipeCounter* c : {&counters.pipe[i], &counters.phases.back().pipe[i]}) {
        ++c->instructions;
        c->bytes += bytes;
        c->elements += elements;
    }
}

void Core::CountGm(Pipe p, const Region& r_in, uint64_t off, uint64_t read, uint64_t written) {
    if (r_in.mem != Mem::kGm) return;
    // Region names are "GM <argument>": the counters name the argument.
    const std::string arg = r_in.name.rfind("GM ", 0) == 0 ? r_in.name.substr(3) : r_in.name;
    GmTraffic& t = counters.phases.back().gm[static_cast<int>(p)][arg];
    t.read += read;
    t.written += written;
    if (read == 0) return;
    // Bytes read for the first time in the launch. Cores run on threads: the shared shadow is guarded.
    static std::mutex seen_mu;
    std::lock_guard<std::mutex> lock(seen_mu);
    Region& r = const_cast<Region&>(r_in);  // shadow state, not the memory itself
    uint64_t fresh = 0;
    for (uint64_t i = off; i < off + read && i < r.bytes; ++i) {
        fresh += r.read_seen[i] == 0;
        r.read_seen[i] = 1;
    }
    t.first_read += fresh;
}

void Core::CheckRead(Pipe p, const Region& r_in, uint64_t off, uint64_t len, const char* api) {
    if (len == 0) return;
    CountGm(p, r_in, off, len, 0);
    Region& r = const_cast<Region&>(r_in);  // the reader record is shadow state, not the memory itself
    const Clock& mine = vc[static_cast<int>(p)];
    const uint16_t own = Slot(p);
    const uint32_t now = seq[static_cast<int>(p)];
    const uint16_t api_id = InternName(api);
    const uint64_t g0 = off >> kGranuleShift;
    const uint64_t g1 = (off + len - 1) >> kGranuleShift;
    const bool record_reader = p != Pipe::kS;
    const bool same_pipe_rule = p == Pipe::kV && spec.npu_arch == 2002;
    for (uint64_t g = g0; g <= g1; ++g) {
        if (record_reader) {
            r.reader_slot[g] = own;
            r.reader_seq[g] = now;
            r.reader_api[g] = api_id;
        }
        const uint16_t w = r.writer_slot[g];
        if (w == own && same_pipe_rule && r.writer_seq[g] > v_barrier_seq) {
            Fail(Format("missing PipeBarrier<PIPE_V>: %s on PIPE VECTOR reads %s at offset %llu (32-byte granule "
                        "%llu) written by %s on the same pipe with no PipeBarrier<PIPE_V> in between; on arch 2002 "
                        "the compiler does not insert it (asc-devkit 同步控制/核内同步/关键特性说明.md: automatic "
                        "PIPE_V-to-PIPE_V synchronisation is for NPU arch 2201; PipeBarrier(ISASI).md)%s",
                        api, r.name.c_str(), static_cast<unsigned long long>(g << kGranuleShift),
                        static_cast<unsigned long long>(g), NameOf(r.writer_api[g]).c_str(), Where().c_str()));
        }
        if (w == kNoWriter || w == own) continue;
        if (mine[w] >= r.writer_seq[g]) continue;
        const Core& writer = *launch.cores[w / kPipeCount];
        const auto wp = static_cast<Pipe>(w % kPipeCount);
        Fail(Format("missing synchronization: %s on PIPE %s reads %s at offset %llu (32-byte granule %llu) "
                    "written by %s on PIPE %s of %s with no flag, barrier, queue hand-off or cross-core sync "
                    "in between%s",
                    api, PipeName(p), r.name.c_str(), static_cast<unsigned long long>(g << kGranuleShift),
                    static_cast<unsigned long long>(g), NameOf(r.writer_api[g]).c_str(), PipeName(wp),
                    writer.name.c_str(), Where().c_str()));
    }
}

void Core::MarkWrite(Pipe p, Region& r, uint64_t off, uint64_t len, uint16_t api_id) {
    if (len == 0) return;
    CountGm(p, r, off, 0, len);
    if (r.mem != Mem::kGm) counters.phases.back().local_written[static_cast<int>(p)][MemName(r.mem)] += len;
    const uint16_t own = Slot(p);
    const uint32_t s = seq[static_cast<int>(p)];
    const uint64_t g0 = off >> kGranuleShift;
    const uint64_t g1 = (off + len - 1) >> kGranuleShift;
    // Write after read: the last reader of each granule (another pipe) must be ordered before this write.
    // Scalar reads are exempt: the scalar unit has its value before it issues any later instruction.
    const Clock& mine = vc[static_cast<int>(p)];
    for (uint64_t g = g0; g <= g1; ++g) {
        const uint16_t rd = r.reader_slot[g];
        if (rd == kNoWriter || rd == own || mine[rd] >= r.reader_seq[g]) continue;
        const Core& reader = *launch.cores[rd / kPipeCount];
        Fail(Format("missing synchronization (write after read): %s on PIPE %s overwrites %s at offset %llu "
                    "(32-byte granule %llu) still being read by %s on PIPE %s of %s with no flag, barrier, queue "
                    "hand-off or cross-core sync in between%s",
                    NameOf(api_id).c_str(), PipeName(p), r.name.c_str(),
                    static_cast<unsigned long long>(g << kGranuleShift), static_cast<unsigned long long>(g),
                    NameOf(r.reader_api[g]).c_str(), PipeName(static_cast<Pipe>(rd % kPipeCount)),
                    reader.name.c_str(), Where().c_str()));
    }
    std::fill(r.reader_slot.begin() + static_cast<std::ptrdiff_t>(g0), r.reader_slot.begin() + static_cast<std::ptrdiff_t>(g1 + 1), kNoWriter);
    std::fill(r.writer_slot.begin() + static_cast<std::ptrdiff_t>(g0), r.writer_slot.begin() + static_cast<std::ptrdiff_t>(g1 + 1), own);
    std::fill(r.writer_seq.begin() + static_cast<std::ptrdiff_t>(g0), r.writer_seq.begin() + static_cast<std::ptrdiff_t>(g1 + 1), s);
    std::fill(r.writer_api.begin() + static_cast<std::ptrdiff_t>(g0), r.writer_api.begin() + static_cast<std::ptrdiff_t>(g1 + 1), api_id);
}

Clock Core::SnapshotOf(Pipe p) const { return vc[static_cast<int>(p)]; }

void Core::Observe(Pipe p, const Clock& c) {
    Clock& v = vc[static_cast<int>(p)];
    for (size_t i = 0; i < c.size(); ++i) v[i] = std::max(v[i], c[i]);
}

void Core::ObserveAll(const Clock& c) {
    for (int p = 0; p < kPipeCount; ++p) Observe(static_cast<Pipe>(p), c);
}

Clock Core::SnapshotAll() const {
    Clock j = vc[0];
    for (int p = 1; p < kPipeCount; ++p) {
        for (size_t i = 0; i < j.size(); ++i) j[i] = std::max(j[i], vc[p][i]);
    }
    return j;
}

void Core::BarrierAll() {
    const Clock j = SnapshotAll();
    for (auto& v : vc) v = j;
    BarrierV();
}

void Core::SetHwFlag(int event, Pipe src, int id, const char* api) {
    if (id < 0 || id >= kEventIdsPerHardEvent) {
        Fail(Format("%s<%s>: event id %d is out of the range [0, %d]%s", api, HardEventName(event), id,
                    kEventIdsPerHardEvent - 1, Where().c_str()));
    }
    HwFlag& f = flags[event][id];
    if (f.set) {
        Fail(Format("%s<%s>(%d): the flag is already set (set by %s) and not yet waited; two sets without a wait "
                    "are undefined on hardware%s",
                    api, HardEventName(event), id, f.set_by.c_str(), Where().c_str()));
    }
    f.set = true;
    f.snapshot = SnapshotOf(src);
    f.set_by = api;
}

void Core::WaitHwFlag(int event, Pipe dst, int id, const char* api) {
    if (id < 0 || id >= kEventIdsPerHardEvent) {
        Fail(Format("%s<%s>: event id %d is out of the range [0, %d]%s", api, HardEventName(event), id,
                    kEventIdsPerHardEvent - 1, Where().c_str()));
    }
    HwFlag& f = flags[event][id];
    if (!f.set) {
        Fail(Format("%s<%s>(%d): no SetFlag on this flag precedes the wait; the pipe would wait forever on "
                    "hardware%s",
                    api, HardEventName(event), id, Where().c_str()));
    }
    Observe(dst, f.snapshot);
    f.set = false;
}

}  // namespace qconv::sim
