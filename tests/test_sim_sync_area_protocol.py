"""Model check of the 2002 soft SyncAll with our kernel-side clear (op_kernel/stage_cross_core.h): every core
zeroes the whole flag area, then runs SyncAll. The twin's SyncAll is an ideal barrier, so the race between a
late core's clear and an early core's flag is checked here instead, on a model of the protocol as the CANN
8.1.RC1 header implements it (basic_api/impl/dav_m200/kernel_operator_sync_impl.h, SoftSyncAllImpl and
ClcSyncCount; our reading, not its code):

    read own word v; cur = v + 1; first = cur == 1; write own word = cur
    loop: snapshot every word; if first: write own word = 1, count = 1 + sum(others) else count = sum(all)
          leave when count >= cores * cur

Every interleaving of word-sized steps of 2 and 3 cores is explored, from every start content of the area in
{0, 1, 2}^cores (garbage a previous node left; 1s are what a previous launch of ours leaves). Each step is
one GM word access; the barrier's own flags order a core's accesses (PipeBarrier<PIPE_ALL> before it,
MTE3 -> MTE2 flags inside), so a core's accesses happen in program order. Checked: no core leaves the
barrier before every core has finished its clear and written its flag (safety), and from every reachable
state all cores can still leave (no deadlock). The same checker finds the defects of the variants without the
clear and with a clear of the own word only, so it can fail."""
from __future__ import annotations

import itertools
from collections import deque

import pytest

# Per-core program counters.
CLEAR, READ_OWN, WRITE_OWN, SNAP, REWRITE, CHECK, DONE = range(7)
ARRIVED = (SNAP, REWRITE, CHECK, DONE)  # cleared (if the variant clears) and flag written


def _initial_core(variant):
    # (pc, index, cur, first, snapshot)
    return (CLEAR, 0, 0, False, ()) if variant != "no_clear" else (READ_OWN, 0, 0, False, ())


def _step(variant, cores, me, core, words):
    """One word access of core `me`: returns (new core state, new words) or None when it has left."""
    pc, index, cur, first, snap = core
    words = list(words)
    if pc == CLEAR:
        if variant == "clear_own":
            words[me] = 0
            return (READ_OWN, 0, cur, first, snap), tuple(words)
        words[index] = 0
        nxt = (CLEAR, index + 1, cur, first, snap) if index + 1 < cores else (READ_OWN, 0, cur, first, snap)
        return nxt, tuple(words)
    if pc == READ_OWN:
        cur = words[me] + 1
        return (WRITE_OWN, 0, cur, cur == 1, snap), tuple(words)
    if pc == WRITE_OWN:
        words[me] = cur
        return (SNAP, 0, cur, first, ()), tuple(words)
    if pc == SNAP:
        snap = snap + (words[index],)
        if index + 1 < cores:
            return (SNAP, index + 1, cur, first, snap), tuple(words)
        rewrite = first and variant != "clear_all_no_rewrite"
        return (REWRITE if rewrite else CHECK, 0, cur, first, snap), tuple(words)
    if pc == REWRITE:
        words[me] = 1
        return (CHECK, 0, cur, first, snap), tuple(words)
    if pc == CHECK:
        count = 1 + sum(v for i, v in enumerate(snap) if i != me) if first else sum(snap)
        if count >= cores * cur:
            return (DONE, 0, cur, first, snap), tuple(words)
        return (SNAP, 0, cur, first, ()), tuple(words)
    return None


def _explore(variant, cores, start_words):
    """BFS over all interleavings. Returns (early_leave, deadlock_state): an example of each defect or None."""
    start = (tuple(start_words), tuple(_initial_core(variant) for _ in range(cores)))
    seen = {start}
    edges = {}
    queue = deque([start])
    early = None
    while queue:
        state = queue.popleft()
        words, cs = state
        succ = []
        for me in range(cores):
            out = _step(variant, cores, me, cs[me], words)
            if out is None:
                continue
            core, new_words = out
            if core[0] == DONE and early is None and not all(c[0] in ARRIVED for i, c in enumerate(cs) if i != me):
                early = state
            nxt = (new_words, cs[:me] + (core,) + cs[me + 1:])
            succ.append(nxt)
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
        edges[state] = succ
    # Deadlock: a reachable state from which the all-left state cannot be reached.
    finished = {s for s in seen if all(c[0] == DONE for c in s[1])}
    parents = {s: [] for s in seen}
    for s, succ in edges.items():
        for t in succ:
            parents[t].append(s)
    can_finish = set(finished)
    queue = deque(finished)
    while queue:
        for p in parents[queue.popleft()]:
            if p not in can_finish:
                can_finish.add(p)
                queue.append(p)
    stuck = next((s for s in seen if s not in can_finish), None)
    return early, stuck


STARTS = [(cores, words) for cores in (2, 3) for words in itertools.product((0, 1, 2), repeat=cores)]


@pytest.mark.parametrize("cores,words", STARTS, ids=[f"{c}cores-{''.join(map(str, w))}" for c, w in STARTS])
def test_clear_whole_area_then_syncall_is_a_barrier_from_any_start(cores, words):
    early, stuck = _explore("clear_all", cores, words)
    assert early is None, f"a core left before all arrived, from state {early}"
    assert stuck is None, f"deadlock reachable: {stuck}"


def test_without_the_clear_a_core_leaves_early_or_hangs():
    """What GE graph mode did to the kernel before the clear: a stale 1 lets a core pass before the others arrived,
    a stale non-zero own word makes it wait for a count that never comes."""
    early, _ = _explore("no_clear", 2, (0, 1))
    assert early is not None
    _, stuck = _explore("no_clear", 2, (1, 0))
    assert stuck is not None


def test_clearing_only_the_own_word_is_not_enough():
    """SyncAll.md (mirror-cann/asc-devkit docs/zh/api/SIMD-API/基础API/同步控制/核间同步/) asks every core to
    clear the WHOLE area: with the own word only, a fast core reads a slow core's stale flag and leaves early."""
    early, _ = _explore("clear_own", 2, (0, 1))
    assert early is not None


def test_the_first_barrier_rewrite_is_what_makes_the_clear_safe():
    """The clear relies on ClcSyncCount rewriting the own flag on every poll of a first barrier: without that, a
    late core's clear erases an early core's flag, the early core leaves, and the late core waits forever. (If a
    CANN release drops the rewrite, the kernel-side clear is no longer safe.)"""
    _, stuck = _explore("clear_all_no_rewrite", 2, (0, 0))
    assert stuck is not None


def test_a_zeroed_area_needs_no_clear():
    """The documented host-side zeroing (what the eager adapter and the twin's launcher do) is itself correct."""
    for cores in (2, 3):
        early, stuck = _explore("no_clear", cores, (0,) * cores)
        assert early is None and stuck is None
