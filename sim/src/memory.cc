#include "sim/memory.h"

#include <algorithm>
#include <deque>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "sim/error.h"

namespace qconv::sim {

const char* MemName(Mem m) {
    switch (m) {
        case Mem::kGm: return "GM";
        case Mem::kUb: return "UB";
        case Mem::kL1: return "L1";
        case Mem::kL0A: return "L0A";
        case Mem::kL0B: return "L0B";
        case Mem::kL0C: return "L0C";
        case Mem::kBias: return "BiasTable";
        case Mem::kFixbuf: return "FixpipeBuffer";
        case Mem::kCount: break;
    }
    return "?";
}

void Region::InitShadow(uint16_t origin) {
    poison.assign(bytes, origin);
    const uint64_t granules = (bytes + (1u << kGranuleShift) - 1) >> kGranuleShift;
    writer_slot.assign(granules, kNoWriter);
    writer_seq.assign(granules, 0);
    writer_api.assign(granules, 0);
    reader_slot.assign(granules, kNoWriter);
    reader_seq.assign(granules, 0);
    reader_api.assign(granules, 0);
}

void Region::SetPoison(uint64_t off, uint64_t len, uint16_t origin) {
    std::fill(poison.begin() + static_cast<std::ptrdiff_t>(off), poison.begin() + static_cast<std::ptrdiff_t>(off + len),
              origin);
}

void Region::CopyPoison(uint64_t dst_off, const Region& src, uint64_t src_off, uint64_t len) {
    if (len == 0) return;
    std::memmove(poison.data() + dst_off, src.poison.data() + src_off, len * sizeof(uint16_t));
}

uint16_t Region::FirstPoison(uint64_t off, uint64_t len) const {
    const uint16_t* p = poison.data() + off;
    uint16_t any = 0;
    for (uint64_t i = 0; i < len; ++i) any |= p[i];  // vectorizes; the slow path below runs rarely
    if (any == 0) return 0;
    for (uint64_t i = 0; i < len; ++i) {
        if (p[i] != 0) return p[i];
    }
    return 0;
}

namespace {
struct NameTable {
    std::mutex mu;
    std::deque<std::string> names{std::string("defined")};
    std::unordered_map<std::string, uint16_t> ids;
};
NameTable& Names() {
    static NameTable t;
    return t;
}
}  // namespace

uint16_t InternName(const std::string& name) {
    NameTable& t = Names();
    std::lock_guard<std::mutex> lock(t.mu);
    auto it = t.ids.find(name);
    if (it != t.ids.end()) return it->second;
    if (t.names.size() >= 0xFFFE) return static_cast<uint16_t>(t.names.size() - 1);
    const auto id = static_cast<uint16_t>(t.names.size());
    t.names.push_back(name);
    t.ids.emplace(name, id);
    return id;
}

const std::string& NameOf(uint16_t id) {
    NameTable& t = Names();
    std::lock_guard<std::mutex> lock(t.mu);
    if (id >= t.names.size()) return t.names[0];
    return t.names[id];
}

}  // namespace qconv::sim
