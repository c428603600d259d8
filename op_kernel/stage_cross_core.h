// The cube -> vector hand-off of arch 2201 (MIX_AIC_1_2): a credit protocol on the ws.acc ring.
// Mode 2 cross-core flags are counters: an AIC set bumps each of its two AIVs' counters, and both AIVs
// must set before the AIC's counter moves (CrossCoreSetFlag(ISASI).md). Flag ids stay below 11 because
// the hard SyncAll owns 11..14.
//
//   C2V flag `slot`      : the AIC has written tile data into ring slot `slot` (Fixpipe done)
//   V2C flag `4 + slot`  : both AIVs have read slot `slot`, the AIC may overwrite it
//
// The AIVs pre-credit every slot once; the AIC waits a credit before each Fixpipe and drains the
// remaining credits at the end, so every counter is back to zero when the kernel ends. Both AIVs set and
// wait for every tile, even when one has no share of it, or the AIC's counter would never move.
#pragma once

#include "kernel_operator.h"
#include "quant_conv2d_schedule.h"
#include "quant_conv2d_tiling_data.h"
#include "vector_ub_budget.h"

#if __CCE_AICORE__ == 220
namespace qconv::kernel {

constexpr uint16_t kTileReadyFlagBase = 0;  // C2V
constexpr uint16_t kSlotFreeFlagBase = 4;   // V2C
constexpr uint8_t kCubeVectorMode = 2;      // AIC <-> its own two AIVs
// The ring is at most 4 slots deep (op_host/tiling/workspace.h kMaxAccSlots): flag ids 0..7, clear of
// SyncAll's 11..14; a tile's slot is schedule::AccSlot.

// ---- AIV side ----

// At start: every slot of the ring is free. PIPE_MTE2, as the later releases: modes 0/1/2 do not support PIPE_S
// or PIPE_ALL (CrossCoreSetFlag(ISASI).md); hicann/ops-nn conv3d_v2 pre-credits on PIPE_MTE2 too.
__aicore__ inline void VectorCreditAllSlots(uint32_t acc_slots) {
    for (uint32_t slot = 0; slot < acc_slots; ++slot) {
        AscendC::CrossCoreSetFlag<kCubeVectorMode, PIPE_MTE2>(kSlotFreeFlagBase + slot);
    }
}

// Blocks until the AIC has written the tile into `slot`.
__aicore__ inline void VectorWaitTileReady(uint32_t slot) {
    AscendC::CrossCoreWaitFlag(kTileReadyFlagBase + slot);
}

// Issued on MTE2 so that it fires only after this AIV's reads of the slot (GM -> UB) have completed.
__aicore__ inline void VectorReleaseSlot(uint32_t slot) {
    AscendC::CrossCoreSetFlag<kCubeVectorMode, PIPE_MTE2>(kSlotFreeFlagBase + slot);
}

// One AIV's side of the protocol: every tile of its cube block, in schedule order, through the ring.
// on_tile(slot_gm, tile, share) reads this AIV's share of the tile's int32 accumulators from the slot
// (GM -> UB on MTE2, which the release below waits for); it runs for every tile, share empty or not.
template <class OnTile>
__aicore__ inline void VectorConsumeTiles(GM_ADDR workspace, const QuantConv2dTilingData& td, OnTile on_tile) {
    const uint32_t subs = static_cast<uint32_t>(AscendC::GetSubBlockNum());
    const uint32_t sub = static_cast<uint32_t>(AscendC::GetSubBlockIdx());
    const uint32_t block = static_cast<uint32_t>(AscendC::GetBlockIdx()) / subs;
    const schedule::BlockWork work = schedule::GetBlockWork(td, block);
    VectorCreditAllSlots(td.acc_slots);
    for (uint32_t t = 0; t < work.tiles; ++t) {
        const schedule::OutputTile tile = schedule::GetTile(td, work, t);
        const uint32_t slot = schedule::AccSlot(td, t);
        AscendC::GlobalTensor<int32_t> slot_gm;
        slot_gm.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(workspace + schedule::AccSlotOffset(td, block, t)),
                                td.acc_slot_bytes / sizeof(int32_t));
        VectorWaitTileReady(slot);
        on_tile(slot_gm, tile, schedule::GetVectorShare(tile, sub, subs));
        VectorReleaseSlot(slot);
    }
}

// K slices (schedule::KSlices > 1): no ring. Past a second SyncAll, by which every AIC has written its partials,
// AIV `sub` of the block of slice s that shares owner block r's tiles takes share s * subs + sub of 2 * k_dim of
// each of them; on_tile reads that share of every slice's partial from the owner's slot.
template <class OnTile>
__aicore__ inline void VectorReduceTiles(GM_ADDR workspace, const QuantConv2dTilingData& td, OnTile on_tile) {
    const uint32_t subs = static_cast<uint32_t>(AscendC::GetSubBlockNum());
    const uint32_t sub = static_cast<uint32_t>(AscendC::GetSubBlockIdx());
    const uint32_t block = static_cast<uint32_t>(AscendC::GetBlockIdx()) / subs;
    const uint32_t slices = schedule::KSlices(td);
    const uint32_t owner = schedule::OwnerOf(td, block);
    const uint32_t share = schedule::SliceOf(td, block) * subs + sub;
    AscendC::SyncAll<false>();
    const schedule::BlockWork work = schedule::GetBlockWork(td, owner);
    for (uint32_t t = 0; t < work.tiles; ++t) {
        const schedule::OutputTile tile = schedule::GetTile(td, work, t);
        AscendC::GlobalTensor<int32_t> slot_gm;
        slot_gm.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(workspace + schedule::AccSlotOffset(td, owner, t)),
                                schedule::AccSlotSpanBytes(td, owner) / sizeof(int32_t));
        on_tile(slot_gm, tile, schedule::GetVectorShare(tile, share, slices * subs));
    }
}

// ---- AIC side (used by the cube stage) ----

// Blocks until both AIVs have released `slot`.
__aicore__ inline void CubeWaitSlotFree(uint32_t slot) { AscendC::CrossCoreWaitFlag(kSlotFreeFlagBase + slot); }

// Issued on FIX so that it fires only after the Fixpipe into the slot has completed.
__aicore__ inline void CubeSignalTileReady(uint32_t slot) {
    AscendC::CrossCoreSetFlag<kCubeVectorMode, PIPE_FIX>(kTileReadyFlagBase + slot);
}

// At the end: consume the credits the AIVs gave back for the last tiles (and the unused pre-credits).
__aicore__ inline void CubeDrainCredits(uint32_t acc_slots) {
    for (uint32_t slot = 0; slot < acc_slots; ++slot) {
        CubeWaitSlotFree(slot);
    }
}

}  // namespace qconv::kernel
#endif  // cross-core flags: arch 2201 only (2002 has no cross-core sync, NPU架构版本2002.md)

namespace qconv::kernel {

// Arch 2002 has no hard SyncAll: the soft form polls a GM area of GetBlockNum() * 32 B that must read zero when
// the barrier starts, with a UB scratch of the same size (SyncAll.md). GE graph mode hands the kernel its
// workspace from GE's pool uncleared, so every core clears the WHOLE area itself before the barrier: the
// kernel-side initialisation SyncAll.md documents ("every core must initialise all of gmWorkspace"), as CANN
// 8.1's own 310P QuantBatchMatmulV3 kernel does. A late core's clear cannot erase an early core's arrival for
// good: in a first barrier (own flag read as 0) each core rewrites its own flag on every poll (8.1.RC1 dav_m200
// SoftSyncAllImpl), and no core leaves before every core has arrived, i.e. finished its clear
// (op_kernel/README.md, tests/test_sim_sync_area_protocol.py). Once per launch: in a second call, the flag a slow
// core still writes for the first barrier would count as its arrival at the second.
__aicore__ inline void SoftSyncAll(AscendC::TPipe* pipe, GM_ADDR sync_area) {
    const uint32_t cores = static_cast<uint32_t>(AscendC::GetBlockNum());
    const int32_t words = static_cast<int32_t>(cores * 8);  // 32 B per core
    AscendC::GlobalTensor<int32_t> gm;
    gm.SetGlobalBuffer(reinterpret_cast<__gm__ int32_t*>(sync_area), cores * 8);
    AscendC::TBuf<AscendC::TPosition::VECCALC> scratch;
    pipe->InitBuffer(scratch, vector_ub::SoftSyncScratchBytes(cores));   // the UB budget's phase 1
    const AscendC::LocalTensor<int32_t> ub = scratch.Get<int32_t>();
    AscendC::Duplicate(ub, 0, words);
    const int32_t v_to_mte3 = static_cast<int32_t>(GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_MTE3));
    AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(v_to_mte3);
    AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(v_to_mte3);
    AscendC::DataCopy(gm, ub, static_cast<uint32_t>(words));
    // SyncAll starts with PipeBarrier<PIPE_ALL>: the clear has landed before its first read of the area, and
    // before it overwrites the scratch the clear was copied from.
    AscendC::SyncAll(gm, ub, static_cast<int32_t>(cores));
}

}  // namespace qconv::kernel
