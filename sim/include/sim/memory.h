// One addressable memory of the twin (a local buffer arena of one core, or one GM argument buffer) with
// its two shadows:
//  - poison: per byte, 0 = defined, otherwise the id of the origin that produced the undefined value
//    (never-written memory, or an API result the hardware leaves undefined); flows through copies and
//    compute like MemorySanitizer's shadow;
//  - last writer and last reader: per 32-byte granule, the (core, pipe) slot and the pipe's instruction
//    number, read by the missing-synchronization checker (Core::CheckRead / Core::MarkWrite).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qconv::sim {

enum class Mem : uint8_t { kGm = 0, kUb, kL1, kL0A, kL0B, kL0C, kBias, kFixbuf, kCount };
const char* MemName(Mem m);

constexpr uint32_t kGranuleShift = 5;  // 32 B: the smallest unit any MTE / vector access works in
constexpr uint16_t kNoWriter = 0xFFFF;

struct Region {
    std::string name;        // e.g. "UB of aiv3" or "GM y"
    Mem mem = Mem::kGm;
    uint8_t* data = nullptr;
    uint64_t bytes = 0;
    bool is_output = false;  // GM output: poison reaching it stops the run at the end
    std::vector<uint16_t> poison;
    std::vector<uint16_t> writer_slot;
    std::vector<uint32_t> writer_seq;
    std::vector<uint16_t> writer_api;
    std::vector<uint16_t> reader_slot;  // per granule: the last reading (core, pipe) since the last write
    std::vector<uint32_t> reader_seq;
    std::vector<uint16_t> reader_api;
    std::vector<uint8_t> storage;  // backing bytes of a local arena (GM regions point at caller memory)
    std::vector<uint8_t> read_seen;  // GM: per byte, 1 once any core has read it in this launch (sized at launch)

    // Sizes the shadows; all bytes start as poison with `origin` (0 = defined).
    void InitShadow(uint16_t origin);
    // Poison helpers over [off, off+len); the caller has bounds-checked the range.
    void SetPoison(uint64_t off, uint64_t len, uint16_t origin);
    void CopyPoison(uint64_t dst_off, const Region& src, uint64_t src_off, uint64_t len);
    // First poison origin in the range, 0 when all of it is defined.
    uint16_t FirstPoison(uint64_t off, uint64_t len) const;
    bool AnyPoison(uint64_t off, uint64_t len) const { return FirstPoison(off, len) != 0; }
};

// A checked window of a region: what every API works on after validating its operands.
struct Span {
    Region* region = nullptr;
    uint64_t off = 0;  // bytes from the region start
    uint64_t len = 0;  // bytes available from off
    uint8_t* ptr() const { return region->data + off; }
};

// Fails unless [rel_off, rel_off+need) lies inside the span's window, naming the API, operand, buffer,
// offset and size; CheckAlign fails unless the span starts on an `align`-byte boundary of its buffer.
void CheckSpan(const char* api, const char* operand, const Span& s, uint64_t rel_off, uint64_t need);
void CheckAlign(const char* api, const char* operand, const Span& s, uint32_t align);

// Interned strings naming poison origins and writing APIs (ids are small and stable within a process).
uint16_t InternName(const std::string& name);
const std::string& NameOf(uint16_t id);

}  // namespace qconv::sim
