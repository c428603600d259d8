// TPipe, TQueBind / TQue and TBuf (doc pages mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/资源管理/TPipe|TQue|TBuf/*.md;
// behaviour of CANN 8.1.RC1 impl/kernel_tpipe_impl.h, kernel_tquebind_impl.h). Buffers are carved bump-pointer
// per physical pool; queues emit the SetFlag/WaitFlag pairs of their HardEvents, so the synchronization checker
// sees exactly what hardware gets.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <string>
#include <vector>

#include "op_host/core/soc_spec.h"
#include "sim/core.h"
#include "sim/dcache.h"
#include "sim/enums.h"
#include "sim/error.h"
#include "sim/positions.h"
#include "sim/sync.h"
#include "sim/tensor.h"

namespace qconv::sim {


// Logical (src, dst) of TQue<pos> (GetBufferLogicPos).
constexpr AscendC::TPosition QueSrc(AscendC::TPosition pos) {
    using AscendC::TPosition;
    switch (pos) {
        case TPosition::VECIN:
        case TPosition::A1:
        case TPosition::B1:
        case TPosition::C1: return TPosition::GM;
        case TPosition::A2: return TPosition::A1;
        case TPosition::B2: return TPosition::B1;
        case TPosition::C2: return TPosition::C1;
        default: return pos;
    }
}
constexpr AscendC::TPosition QueDst(AscendC::TPosition pos) {
    using AscendC::TPosition;
    switch (pos) {
        case TPosition::VECOUT: return TPosition::GM;
        case TPosition::CO1: return TPosition::CO2;
        case TPosition::CO2: return TPosition::GM;
        default: return pos;
    }
}


class QueBase {
public:
    virtual ~QueBase() = default;
    virtual void SimDrain() = 0;  // waits every pending free event (TPipe::Destroy)
    virtual void SimDetach() = 0;
};


}  // namespace qconv::sim

namespace AscendC {

class TPipe;
template <TPosition pos>
class TBuf;

template <TPosition src, TPosition dst, int32_t depth, auto mask = 0>
class TQueBind : public qconv::sim::QueBase {
public:
    TQueBind() = default;
    TQueBind(const TQueBind&) = delete;
    TQueBind& operator=(const TQueBind&) = delete;
    ~TQueBind() override;

    template <typename T>
    LocalTensor<T> AllocTensor();
    template <typename T>
    void FreeTensor(LocalTensor<T>& tensor);
    template <typename T>
    bool EnQue(const LocalTensor<T>& tensor) {
        return DoEnQue(tensor, enq_evt_, "EnQue");
    }
    template <TPosition srcUserPos, TPosition dstUserPos, typename T>
    bool EnQue(const LocalTensor<T>& tensor) {
        return DoEnQue(tensor, UserEvent(srcUserPos, dstUserPos), "EnQue");
    }
    template <typename T>
    LocalTensor<T> DeQue() {
        return DoDeQue<T>(enq_evt_, "DeQue");
    }
    template <TPosition srcUserPos, TPosition dstUserPos, typename T>
    LocalTensor<T> DeQue() {
        return DoDeQue<T>(UserEvent(srcUserPos, dstUserPos), "DeQue");
    }
    bool VacantInQue() const { return static_cast<int32_t>(fifo_.size()) < depth; }
    bool HasTensorInQue() const { return !fifo_.empty(); }
    int32_t GetTensorCountInQue() const { return static_cast<int32_t>(fifo_.size()); }
    bool HasIdleBuffer() const {
        for (const auto& b : bufs_)
            if (b.state == State::kFree) return true;
        return false;
    }
    void FreeAllEvent() { SimDrain(); }

    // ---- twin internals ----
    void SimInit(uint8_t num, uint32_t len);
    void SimDrain() override;
    void SimDetach() override { pipe_alive_ = false; }

private:
    enum class State : uint8_t { kFree, kOccupied, kEnque, kDeque };
    struct Buf {
        uint64_t off = 0;
        int32_t record = -1;
        State state = State::kFree;
        int free_id = -1;
    };
    struct Queued {
        size_t buf;
        int id;
        HardEvent evt;
    };
    static constexpr TPosition kPoolPos =
        (dst == TPosition::GM || dst == TPosition::CO2) ? src : dst;  // GetBufferPos
    std::string Name() const {
        return std::string("TQueBind<") + qconv::sim::PositionName(src) + ", " + qconv::sim::PositionName(dst) + ">";
    }
    HardEvent UserEvent(TPosition s, TPosition d) const;
    size_t FindBuf(int32_t record, const char* api) const;
    template <typename T>
    bool DoEnQue(const LocalTensor<T>& tensor, HardEvent evt, const char* api);
    template <typename T>
    LocalTensor<T> DoDeQue(HardEvent evt, const char* api);
    template <typename T>
    LocalTensor<T> MakeTensor(const Buf& b) const {
        LocalTensor<T> t;
        const auto& rec = qconv::sim::Cur().buffers[static_cast<size_t>(b.record)];
        t.SimInit(qconv::sim::PhysicalOf(kPoolPos), b.off, len_, kPoolPos, b.record, rec.generation);
        return t;
    }

    std::vector<Buf> bufs_;
    uint32_t len_ = 0;
    size_t cursor_ = 0;
    std::deque<Queued> fifo_;
    HardEvent enq_evt_ = HardEvent::MAX;
    HardEvent free_evt_ = HardEvent::MAX;
    bool pipe_alive_ = false;
    qconv::sim::Core* core_ = nullptr;
};

template <TPosition pos, int32_t depth, auto mask = 0>
class TQue : public TQueBind<qconv::sim::QueSrc(pos), qconv::sim::QueDst(pos), depth, mask> {};

// TBuf: one buffer, no queue semantics (Get / GetWithOffset / AllocTensor return the same memory).
template <TPosition pos = TPosition::LCM>
class TBuf {
public:
    TBuf() = default;
    TBuf(const TBuf&) = delete;
    TBuf& operator=(const TBuf&) = delete;

    template <typename T>
    LocalTensor<T> Get() {
        return Get<T>(static_cast<uint32_t>(len_ / sizeof(T)));
    }
    template <typename T>
    LocalTensor<T> Get(uint32_t len) {
        return GetWithOffset<T>(len, 0);
    }
    template <typename T>
    LocalTensor<T> GetWithOffset(uint32_t size, uint32_t bufOffset) {
        using namespace qconv::sim;
        if (record_ < 0) Fail(Format("TBuf<%s>::Get: the TBuf was not given memory by TPipe::InitBuffer%s",
                                     PositionName(pos), Cur().Where().c_str()));
        const uint64_t bytes = uint64_t{size} * sizeof(T);
        if (bufOffset % 32 != 0 || bufOffset + bytes > len_) {
            Fail(Format("TBuf<%s>::GetWithOffset: %llu bytes at offset %u do not fit the buffer of %u bytes (offset "
                        "must be a multiple of 32)%s",
                        PositionName(pos), static_cast<unsigned long long>(bytes), bufOffset, len_,
                        Cur().Where().c_str()));
        }
        LocalTensor<T> t;
        t.SimInit(PhysicalOf(pos), off_ + bufOffset, bytes, pos, record_,
                  Cur().buffers[static_cast<size_t>(record_)].generation);
        return t;
    }
    template <typename T>
    LocalTensor<T> AllocTensor() {
        return Get<T>();
    }
    template <typename T>
    void FreeTensor(LocalTensor<T>&) {}
    template <typename T>
    bool EnQue(const LocalTensor<T>&) {
        return true;
    }
    template <typename T>
    LocalTensor<T> DeQue() {
        return Get<T>();
    }

    void SimInit(uint64_t off, uint32_t len, int32_t record) {
        off_ = off;
        len_ = len;
        record_ = record;
    }

private:
    uint64_t off_ = 0;
    uint32_t len_ = 0;
    int32_t record_ = -1;
};

class TPipe {
public:
    TPipe() { Init(); }
    ~TPipe() noexcept(false) {  // Destroy may stop the run (a DCache write-back of stale bytes)
        if (alive_ && std::uncaught_exceptions() == 0) Destroy();
        else if (alive_) qconv::sim::Cur().tpipe = nullptr;
    }
    TPipe(const TPipe&) = delete;
    TPipe& operator=(const TPipe&) = delete;

    void Init();
    template <class Q>
    bool InitBuffer(Q& que, uint8_t num, uint32_t len) {
        const uint64_t rounded = (uint64_t{len} + 31) / 32 * 32;
        CheckBufferCount(num);
        que.SimInit(num, static_cast<uint32_t>(rounded));
        queues_.push_back(&que);
        return true;
    }
    template <TPosition pos>
    bool InitBuffer(TBuf<pos>& buf, uint32_t len) {
        const uint64_t rounded = (uint64_t{len} + 31) / 32 * 32;
        CheckBufferCount(1);
        const uint64_t off = Carve(qconv::sim::PhysicalOf(pos), rounded, "InitBuffer(TBuf)");
        buf.SimInit(off, static_cast<uint32_t>(rounded),
                    NewRecord(std::string("TBuf<") + qconv::sim::PositionName(pos) + ">"));
        return true;
    }
    template <HardEvent evt>
    TEventID AllocEventID() {
        return static_cast<TEventID>(qconv::sim::AllocEvent(evt, "TPipe::AllocEventID"));
    }
    template <HardEvent evt>
    void ReleaseEventID(TEventID id) {
        qconv::sim::ReleaseEvent(evt, id);
    }
    template <HardEvent evt>
    TEventID FetchEventID() {
        return FetchEventID(evt);
    }
    TEventID FetchEventID(HardEvent evt);
    void Destroy();
    void Reset();

    // ---- twin internals ----
    uint64_t Carve(qconv::sim::Mem m, uint64_t bytes, const char* what);
    int32_t NewRecord(const std::string& owner);
    void Forget(qconv::sim::QueBase* q);

private:
    void CheckBufferCount(uint32_t add);
    std::vector<qconv::sim::QueBase*> queues_;
    uint32_t buffer_count_ = 0;
    bool alive_ = false;
};

// ---- TQueBind implementation ----

template <TPosition src, TPosition dst, int32_t depth, auto mask>
TQueBind<src, dst, depth, mask>::~TQueBind() {
    if (pipe_alive_ && core_ != nullptr && qconv::sim::CurOrNull() == core_ && core_->tpipe != nullptr) {
        // The queue goes out of scope before the TPipe: its pending free events move to the pipe's Destroy.
        if (std::uncaught_exceptions() == 0) SimDrain();
        static_cast<TPipe*>(core_->tpipe)->Forget(this);
    }
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
void TQueBind<src, dst, depth, mask>::SimInit(uint8_t num, uint32_t len) {
    using namespace qconv::sim;
    Core& c = Cur();
    TPipe* pipe = static_cast<TPipe*>(c.tpipe);
    if (pipe == nullptr) Fail("InitBuffer: no live TPipe on this core" + c.Where());
    if (num < 1 || num > 64) {
        Fail(Format("InitBuffer(%s): num = %u is out of the allowed range [1, 64]%s", Name().c_str(), num,
                    c.Where().c_str()));
    }
    if (!QueueEvents(PhysicalOf(src), PhysicalOf(dst), &enq_evt_, &free_evt_)) {
        Fail(Format("InitBuffer(%s): the hardware has no queue from %s to %s on this arch%s", Name().c_str(),
                    MemName(PhysicalOf(src)), MemName(PhysicalOf(dst)), c.Where().c_str()));
    }
    core_ = &c;
    len_ = len;
    bufs_.assign(num, Buf{});
    for (uint8_t i = 0; i < num; ++i) {
        bufs_[i].off = pipe->Carve(PhysicalOf(kPoolPos), len, "InitBuffer");
        bufs_[i].record = pipe->NewRecord(Format("%s buffer %u", Name().c_str(), i));
    }
    pipe_alive_ = true;
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
void TQueBind<src, dst, depth, mask>::SimDrain() {
    for (auto& b : bufs_) {
        if (b.free_id >= 0) {
            qconv::sim::DoWaitFlag(free_evt_, b.free_id, "TPipe::Destroy (pending FreeTensor event)");
            qconv::sim::ReleaseEvent(free_evt_, b.free_id);
            b.free_id = -1;
        }
    }
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
HardEvent TQueBind<src, dst, depth, mask>::UserEvent(TPosition s, TPosition d) const {
    HardEvent enq, fr;
    if (!qconv::sim::QueueEvents(qconv::sim::PhysicalOf(s), qconv::sim::PhysicalOf(d), &enq, &fr)) {
        qconv::sim::Fail(qconv::sim::Format("EnQue/DeQue<%s, %s>: no hardware event between these positions",
                                            qconv::sim::PositionName(s), qconv::sim::PositionName(d)));
    }
    return enq;
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
size_t TQueBind<src, dst, depth, mask>::FindBuf(int32_t record, const char* api) const {
    for (size_t i = 0; i < bufs_.size(); ++i)
        if (bufs_[i].record == record) return i;
    qconv::sim::Fail(qconv::sim::Format("%s: the tensor does not belong to %s%s", api, Name().c_str(),
                                        qconv::sim::Cur().Where().c_str()));
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
template <typename T>
LocalTensor<T> TQueBind<src, dst, depth, mask>::AllocTensor() {
    using namespace qconv::sim;
    if (bufs_.empty()) Fail(Format("AllocTensor: %s was not given memory by TPipe::InitBuffer%s", Name().c_str(), Cur().Where().c_str()));
    for (size_t k = 0; k < bufs_.size(); ++k) {
        const size_t i = (cursor_ + k) % bufs_.size();
        Buf& b = bufs_[i];
        if (b.state != State::kFree) continue;
        cursor_ = (i + 1) % bufs_.size();
        if (b.free_id >= 0) {
            DoWaitFlag(free_evt_, b.free_id, "AllocTensor");
            ReleaseEvent(free_evt_, b.free_id);
            b.free_id = -1;
        }
        b.state = State::kOccupied;
        return MakeTensor<T>(b);
    }
    Fail(Format("AllocTensor: all %zu buffers of %s are allocated and not freed; on hardware AllocTensor spins "
                "forever%s",
                bufs_.size(), Name().c_str(), Cur().Where().c_str()));
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
template <typename T>
void TQueBind<src, dst, depth, mask>::FreeTensor(LocalTensor<T>& tensor) {
    using namespace qconv::sim;
    tensor.SimSpan("FreeTensor", "tensor");  // fails on a double free (stale generation)
    Buf& b = bufs_[FindBuf(tensor.SimBuffer(), "FreeTensor")];
    if (b.state == State::kEnque) {
        Fail(Format("FreeTensor: the tensor of %s is still enqueued (DeQue it first)%s", Name().c_str(),
                    Cur().Where().c_str()));
    }
    if (b.state == State::kFree) {
        Fail(Format("FreeTensor: the buffer of %s is already free%s", Name().c_str(), Cur().Where().c_str()));
    }
    ++Cur().buffers[static_cast<size_t>(b.record)].generation;
    b.free_id = AllocEvent(free_evt_, "FreeTensor");
    DoSetFlag(free_evt_, b.free_id, "FreeTensor");
    b.state = State::kFree;
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
template <typename T>
bool TQueBind<src, dst, depth, mask>::DoEnQue(const LocalTensor<T>& tensor, HardEvent evt, const char* api) {
    using namespace qconv::sim;
    tensor.SimSpan(api, "tensor");
    const size_t i = FindBuf(tensor.SimBuffer(), api);
    Buf& b = bufs_[i];
    if (b.state != State::kOccupied) {
        Fail(Format("%s: the tensor of %s is not allocated (AllocTensor first)%s", api, Name().c_str(),
                    Cur().Where().c_str()));
    }
    if (static_cast<int32_t>(fifo_.size()) >= (depth < 1 ? 1 : depth)) {
        Fail(Format("%s: %s already holds depth = %d tensors not yet dequeued%s", api, Name().c_str(), depth,
                    Cur().Where().c_str()));
    }
    const int id = AllocEvent(evt, api);
    DoSetFlag(evt, id, api);
    b.state = State::kEnque;
    fifo_.push_back(Queued{i, id, evt});
    return true;
}

template <TPosition src, TPosition dst, int32_t depth, auto mask>
template <typename T>
LocalTensor<T> TQueBind<src, dst, depth, mask>::DoDeQue(HardEvent evt, const char* api) {
    using namespace qconv::sim;
    if (fifo_.empty()) Fail(Format("%s: %s is empty%s", api, Name().c_str(), Cur().Where().c_str()));
    const Queued q = fifo_.front();
    fifo_.pop_front();
    (void)evt;
    DoWaitFlag(q.evt, q.id, api);
    ReleaseEvent(q.evt, q.id);
    Buf& b = bufs_[q.buf];
    b.state = State::kDeque;
    return MakeTensor<T>(b);
}

// ---- TPipe implementation ----

// TPipe构造函数.md / Init.md: one live TPipe per core; on a 2201 AIC, Init pre-sets M_MTE1 ids 0..2 for
// Matmul loads and Destroy waits them (kernel_tpipe_impl.h), so queues on that event get ids from 3.
inline void TPipe::Init() {
    using namespace qconv::sim;
    Core& c = Cur();
    if (c.tpipe != nullptr && c.tpipe != this) {
        Fail("TPipe: a second TPipe is alive on this core (one per kernel; Destroy the first)" + c.Where());
    }
    c.tpipe = this;
    alive_ = true;
    c.ResetVectorState();
    c.load3d_pad_bits = 0;
    for (auto& t : c.pool_top) t = 0;
    if (c.kind == CoreKind::kAic) {
        for (int id = 0; id < 3; ++id) {
            c.event_pool[static_cast<int>(HardEvent::M_MTE1)] |= uint64_t{1} << id;
            DoSetFlag(HardEvent::M_MTE1, id, "TPipe::Init");
        }
    }
}

inline void TPipe::Destroy() {
    using namespace qconv::sim;
    if (!alive_) return;
    Core& c = Cur();
    for (auto* q : queues_) q->SimDrain();
    if (c.kind == CoreKind::kAic) {
        for (int id = 0; id < 3; ++id) {
            DoWaitFlag(HardEvent::M_MTE1, id, "TPipe::Destroy");
            ReleaseEvent(HardEvent::M_MTE1, id);
        }
    }
    for (auto* q : queues_) q->SimDetach();
    queues_.clear();
    c.BarrierAll();
    // 8.1.RC1 kernel_tpipe_impl.h: on arch 2002 Destroy ends with dcci(ENTIRE_DATA_CACHE) (sim/dcache.h).
    if (DcacheModelled(c)) DcacheCleanInvalidate(c, nullptr, 0, "TPipe::Destroy");
    c.tpipe = nullptr;
    alive_ = false;
}

// Reset.md: pending free events are waited, pools restart at 0 and every tensor handed out so far is
// invalid (the twin bumps their generations so later use is reported).
inline void TPipe::Reset() {
    using namespace qconv::sim;
    Core& c = Cur();
    for (auto* q : queues_) q->SimDrain();
    for (auto* q : queues_) q->SimDetach();
    queues_.clear();
    for (auto& rec : c.buffers) ++rec.generation;
    for (auto& t : c.pool_top) t = 0;
    buffer_count_ = 0;
    c.ResetVectorState();
}

inline TEventID TPipe::FetchEventID(HardEvent evt) {
    const uint64_t pool = qconv::sim::Cur().event_pool[static_cast<int>(evt)];
    for (int id = 0; id < qconv::sim::kEventIdsPerHardEvent; ++id)
        if (!(pool & (uint64_t{1} << id))) return static_cast<TEventID>(id);
    return static_cast<TEventID>(qconv::sim::kEventIdsPerHardEvent);
}

inline uint64_t TPipe::Carve(qconv::sim::Mem m, uint64_t bytes, const char* what) {
    using namespace qconv::sim;
    Core& c = Cur();
    if (m == Mem::kCount || m == Mem::kGm) Fail(Format("%s: this position has no local buffer on this arch%s", what, c.Where().c_str()));
    const uint64_t cap = PoolBytes(c.spec, m);
    uint64_t& top = c.pool_top[static_cast<int>(m)];
    if (top + bytes > cap) {
        Fail(Format("%s: %llu bytes at %s offset %llu exceed the %s size of %llu bytes%s", what,
                    static_cast<unsigned long long>(bytes), MemName(m), static_cast<unsigned long long>(top),
                    MemName(m), static_cast<unsigned long long>(cap), c.Where().c_str()));
    }
    const uint64_t off = top;
    top += bytes;
    return off;
}

inline int32_t TPipe::NewRecord(const std::string& owner) {
    auto& b = qconv::sim::Cur().buffers;
    b.push_back(qconv::sim::BufferRecord{0, owner});
    return static_cast<int32_t>(b.size() - 1);
}

inline void TPipe::Forget(qconv::sim::QueBase* q) {
    for (auto& x : queues_)
        if (x == q) x = nullptr;
    std::vector<qconv::sim::QueBase*> kept;
    for (auto* x : queues_)
        if (x) kept.push_back(x);
    queues_ = kept;
}

inline void TPipe::CheckBufferCount(uint32_t add) {
    buffer_count_ += add;
    if (buffer_count_ > 64) {
        qconv::sim::Fail(qconv::sim::Format(
            "InitBuffer: %u buffers in one TPipe exceed the limit of 64 (InitBuffer.md)%s", buffer_count_,
            qconv::sim::Cur().Where().c_str()));
    }
}

}  // namespace AscendC

// GetTPipePtr (kernel_common.h): the live TPipe of the current core.
inline AscendC::TPipe* GetTPipePtr() { return static_cast<AscendC::TPipe*>(qconv::sim::Cur().tpipe); }
