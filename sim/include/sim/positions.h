// Arch-neutral facts about positions, pools and queue events, implemented in the twin's library.
#pragma once

#include <cstdint>

#include "sim/enums.h"
#include "sim/memory.h"

namespace qconv {
struct SocSpec;
}

namespace qconv::sim {

const char* PositionName(AscendC::TPosition p);

// Capacity of a physical pool on a SoC (0: the SoC has no such buffer).
uint64_t PoolBytes(const SocSpec& spec, Mem m);

// The producer->consumer and consumer->producer events of a queue between two physical buffers
// (GetQueEvt, CANN 8.1.RC1 basic_api/impl/kernel_event.h). False for a pair with no hardware queue.
bool QueueEvents(Mem src, Mem dst, AscendC::HardEvent* enque, AscendC::HardEvent* free);

}  // namespace qconv::sim
