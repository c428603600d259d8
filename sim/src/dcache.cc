#include "sim/dcache.h"

#include <algorithm>
#include <cstring>

#include "sim/error.h"
#include "sim/launch_state.h"

namespace qconv::sim {

bool DcacheModelled(const Core& c) { return c.spec.npu_arch == 2002; }

namespace {

Core::DcacheLine* Find(const Core& c, const Region& r, uint64_t base) {
    for (const auto& l : c.dcache) {
        if (l.region == &r && l.base == base) return const_cast<Core::DcacheLine*>(&l);
    }
    return nullptr;
}

// A whole-line write-back also writes the bytes this core never stored, as they were at the fill. If GM has
// changed there since (an MTE3 write of this or another core), the write-back would put stale data back: the
// hazard SetValue.md warns of. The twin stops the run there instead of producing a silently wrong output.
void CheckNoStaleBytes(const Core& c, const Core::DcacheLine& l, const char* api) {
    for (uint32_t i = 0; i < l.len; ++i) {
        if ((l.stored >> i & 1) != 0 || l.region->data[l.base + i] == l.filled[i]) continue;
        const uint64_t g = (l.base + i) >> kGranuleShift;
        const uint16_t w = l.region->writer_slot[g];
        const std::string by = w == kNoWriter ? std::string("another writer")
                                              : NameOf(l.region->writer_api[g]) + " on PIPE " +
                                                    PipeName(static_cast<Pipe>(w % kPipeCount)) + " of " +
                                                    c.launch.cores[w / kPipeCount]->name;
        Fail(Format("stale data from the DCache: %s writes back the 64-byte line at offset %llu of %s whole, but byte "
                    "%llu, which no GlobalTensor::SetValue of this core stored, was changed in GM by %s after the "
                    "line was filled; the write-back would overwrite it with the old value (GlobalTensor/SetValue.md: "
                    "scalar stores reach GM in whole 64-byte cache lines; write output through DataCopy instead)%s",
                    api, static_cast<unsigned long long>(l.base), l.region->name.c_str(),
                    static_cast<unsigned long long>(l.base + i), by.c_str(), c.Where().c_str()));
    }
}

void WriteBack(Core& c, const Core::DcacheLine& l, uint16_t api_id, const char* api) {
    if (!l.dirty) return;
    CheckNoStaleBytes(c, l, api);
    c.Issue(Pipe::kS, l.len, 0);
    std::memcpy(l.region->data + l.base, l.data, l.len);
    std::memcpy(l.region->poison.data() + l.base, l.poison, l.len * sizeof(uint16_t));
    c.MarkWrite(Pipe::kS, *l.region, l.base, l.len, api_id);
}

}  // namespace

void DcacheStore(Core& c, Region& r, uint64_t off, const void* value, uint32_t bytes) {
    const uint64_t base = off / kDcacheLineBytes * kDcacheLineBytes;
    if ((off + bytes - 1) / kDcacheLineBytes * kDcacheLineBytes != base) {
        Fail(Format("GlobalTensor::SetValue: a %u-byte store at offset %llu of %s straddles two 64-byte cache lines%s",
                    bytes, static_cast<unsigned long long>(off), r.name.c_str(), c.Where().c_str()));
    }
    Core::DcacheLine* l = Find(c, r, base);
    if (l == nullptr) {  // line fill: GM as it is now
        Core::DcacheLine fill;
        fill.region = &r;
        fill.base = base;
        fill.len = static_cast<uint32_t>(std::min<uint64_t>(kDcacheLineBytes, r.bytes - base));
        std::memcpy(fill.data, r.data + base, fill.len);
        std::memcpy(fill.filled, r.data + base, fill.len);
        std::memcpy(fill.poison, r.poison.data() + base, fill.len * sizeof(uint16_t));
        c.dcache.push_back(fill);
        l = &c.dcache.back();
    }
    std::memcpy(l->data + (off - base), value, bytes);
    std::fill(l->poison + (off - base), l->poison + (off - base + bytes), uint16_t{0});
    l->dirty = true;
    for (uint32_t i = 0; i < bytes; ++i) l->stored |= uint64_t{1} << (off - base + i);
}

bool DcacheLoad(const Core& c, const Region& r, uint64_t off, void* out, uint32_t bytes) {
    const Core::DcacheLine* l = Find(c, r, off / kDcacheLineBytes * kDcacheLineBytes);
    if (l == nullptr) return false;
    std::memcpy(out, l->data + (off - l->base), bytes);
    return true;
}

void DcacheCleanInvalidate(Core& c, const Region* r, uint64_t off, const char* api) {
    const uint16_t api_id = InternName(std::string(api) + " (DCache write-back of a 64-byte line)");
    const uint64_t base = off / kDcacheLineBytes * kDcacheLineBytes;
    auto it = c.dcache.begin();
    while (it != c.dcache.end()) {
        if (r == nullptr || (it->region == r && it->base == base)) {
            WriteBack(c, *it, api_id, api);
            it = c.dcache.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace qconv::sim
