// The scalar data cache of an arch 2002 core in front of GM (GlobalTensor::SetValue / GetValue).
//
// mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/数据结构/GlobalTensor/SetValue.md (功能说明): a scalar store
// first changes the core's DCache and is not written to GM at once; it goes out later in whole 64-byte cache
// lines, and cores storing into one line overwrite each other. 缓存控制/DataCacheCleanAndInvalid.md writes lines
// back (SINGLE_CACHE_LINE: the line of the address; ENTIRE_DATA_CACHE: all). leideng/CANN-8.1.RC1
// .../basic_api/impl/kernel_tpipe_impl.h: on __CCE_AICORE__ == 200 TPipe::Destroy ends with a dcci of the
// entire cache.
//
// Model: a store allocates its line (filled from GM as GM holds it then, poison included) and marks it dirty;
// a scalar load hits a cached line; a write-back copies the whole line, stale neighbours included, to GM.
// Write-backs happen at DataCacheCleanAndInvalid, at TPipe::Destroy and when the core ends. Capacity eviction
// is not modelled (no documented DCache size): a line stays until one of those write-backs, which the
// documentation allows ("后续写出").
#pragma once

#include <cstdint>

#include "sim/core.h"

namespace qconv::sim {

constexpr uint64_t kDcacheLineBytes = 64;

// True when arch 2002 routes GM scalar accesses through the modelled cache.
bool DcacheModelled(const Core& c);
void DcacheStore(Core& c, Region& r, uint64_t off, const void* value, uint32_t bytes);
// Copies [off, off+bytes) from a cached line into out; false on a miss.
bool DcacheLoad(const Core& c, const Region& r, uint64_t off, void* out, uint32_t bytes);
// Writes back and drops the line holding byte `off` of r (r == nullptr: every line of the core).
void DcacheCleanInvalidate(Core& c, const Region* r, uint64_t off, const char* api);

}  // namespace qconv::sim
