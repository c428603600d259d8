"""Each sanitizer check of the CPU twin fires: a kernel or a tiling broken on purpose (tests/sim_faults/,
module qconv._sim_faults, built on demand by this test) must be stopped with the finding that names the
defect. The real kernel with the unmodified tiling, run through the same module, is the control."""
from __future__ import annotations

import os
import re
import subprocess

import numpy as np
import pytest
import torch

from kit_paths import ASAN_BUILD_DIR, BUILD_DIR
from qconv import _native, reference
from qconv.scale import trans_quant_param

SOCS = ("ascend910b", "ascend310p")


def _faults_module():
    try:
        return _native.load("_sim_faults")
    except _native.NativeModuleMissing:
        build = ASAN_BUILD_DIR if os.environ.get("QCONV_NATIVE_DIR") else BUILD_DIR
        if not (build / "CMakeCache.txt").exists():
            pytest.fail(f"{build} is not a configured build tree; run ./build.sh build first", pytrace=False)
        subprocess.run(["cmake", "--build", str(build), "--target", "_sim_faults", "-j", "2"], check=True,
                       stdout=subprocess.DEVNULL)
        return _native.load("_sim_faults")


faults = _faults_module()

# Broken kernel -> the finding that must stop it.
KERNEL_FAULTS = {
    "fault_ub_out_of_bounds": r"Duplicate: out-of-bounds access of dst: bytes \[0, 2048\) of UB",
    "fault_misaligned_ub": r"misaligned destination: offset 3 of UB .* not a multiple of 32 bytes",
    "fault_use_after_free": r"after FreeTensor released it",
    "fault_gm_out_of_bounds": r"out-of-bounds access of destination: bytes \[128, 384\) of GM y",
    "fault_undefined_output": r"undefined data reached the output GM y: .*never-written UB",
    "fault_missing_sync": r"missing synchronization: Adds on PIPE VECTOR reads UB .* written by "
                          r"DataCopy\(GM->local\) on PIPE MTE2",
    "fault_double_set_flag": r"SetFlag<MTE2_V>\(0\): the flag is already set",
    "fault_wait_without_set": r"WaitFlag<V_MTE3>\(1\): no SetFlag on this flag precedes the wait",
    "fault_flag_left_set": r"end of kernel: flag MTE3_V id 2 was set .* and never waited",
    "fault_sync_all_unzeroed": r"SyncAll: gmWorkspace .* must be zero-initialised but holds undefined data",
    "fault_cross_core_deadlock": r"deadlock: every core that has not finished is blocked:(.|\n)*"
                                 r"aic0 waits in CrossCoreWaitFlag\(4\)",
    "fault_cross_core_unmatched": r"end of kernel: cross-core flag 0 of aiv0 still counts 1 set\(s\) nobody waited",
    "fault_cross_core_overflow": r"CrossCoreSetFlag<2>: flag 0 of aiv0 would exceed 15 outstanding sets",
    "fault_unsupported_cast_mode": r"Cast: round_mode = CAST_ODD is not supported for this conversion on arch",
    "fault_event_ids_exhausted": r"AllocEventID: all 8 event ids of MTE2_V are in use",
    # Documented arch rules (issues 9 and 14): each message names the rule and its source.
    "fault_load3d_channel_size": r"channelSize = 64 is not allowed on arch 2002 for int8_t/uint8_t: it must be 4, 8, "
                                 r"16, 32, N\*32\+4, N\*32\+8 or N\*32\+16 \(LoadData_3D.md",
    "fault_load3d_m_start": r"mStartPt = 8 is not a multiple of 16, required on arch 2002 .*kernel_operator_mm_check.h",
    "fault_padding_sign_extended": r"the padding register holds 0xFFFD: for b8 PADDING\[15:8\] must equal "
                                   r"PADDING\[7:0\]",
    "fault_missing_pipe_v_barrier": r"missing PipeBarrier<PIPE_V>: Adds on PIPE VECTOR reads UB .* written by "
                                    r"Duplicate on the same pipe",
    "fault_scalar_store_cache_line": r"stale data from the DCache: TPipe::Destroy writes back the 64-byte line at "
                                     r"offset 0 of GM y whole, but byte 32, .* was changed in GM by DataCopy.* on "
                                     r"PIPE MTE3 of core0",
    "fault_gather_byte_offsets": r"Gather: srcBaseAddr \+ srcOffset\[1\] = 49 is not a multiple of the element size 2",
    "fault_cross_core_pipe_s": r"CrossCoreSetFlag<2, PIPE_S>: PIPE_S and PIPE_ALL are not supported for modes 0/1/2 "
                               r"\(CrossCoreSetFlag\(ISASI\).md\)",
}

# Broken tiling (fields of QuantConv2dTilingData overridden) -> the finding, per SoC (None: not applicable).
TILING_FAULTS = [
    ({"m_l0": 4096}, r"InitBuffer: \d+ bytes at L0A offset 0 exceed the L0A size of 65536 bytes"),
    ({"n_l0": 512}, r"InitBuffer: \d+ bytes at L0B offset 0 exceed the L0B size of 65536 bytes"),
    # A workspace too small: the first layout write found partly or wholly past it (which core writes first
    # depends on the item size the tiling picks).
    ({"ws_total_bytes": 1024}, r"out-of-bounds access of destination: .* of GM workspace|DataCopy\(local->GM\): "
                               r"GlobalTensor address 0x[0-9a-f]+ is not inside any GM argument buffer"),
    ({"cout": 48}, r"GlobalTensor address 0x[0-9a-f]+ is not inside any GM argument buffer"),
    ({"block_dim": 64}, r"Launch: block_dim = 64 is out of the allowed range \[1, \d+\]"),
]
SPLIT_ONLY_TILING_FAULTS = [
    ({"ub_m": 1008}, r"InitBuffer: \d+ bytes at UB offset \d+ exceed the UB size"),  # the dequant passes
    ({"acc_slots": 5}, r"Fixpipe: GlobalTensor address 0x[0-9a-f]+ is not inside any GM argument buffer"),
]


def _problem():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(-128, 128, (1, 40, 12, 12), generator=g, dtype=torch.int8).numpy()
    w = torch.randint(-128, 128, (40, 40, 3, 3), generator=g, dtype=torch.int8).numpy()
    scale = trans_quant_param(torch.rand(40, generator=g) * 1e-3).numpy()
    bias = torch.randint(-1000, 1000, (40,), generator=g, dtype=torch.int32).numpy()
    return x, w, scale, bias


def _run_tiling(soc, overrides):
    x, w, scale, bias = _problem()
    return faults.run_with_tiling(x, w, scale, bias, [1, 1], [1, 1], [1, 1], 0, soc, overrides)


def test_every_fault_kernel_has_an_expected_finding():
    assert set(faults.faults()) == set(KERNEL_FAULTS)


# Cross-core flags exist on arch 2201 only, the arch 2002 rules on ascend310p only: those faults run there alone.
KERNEL_FAULT_RUNS = [(soc, name) for name in sorted(KERNEL_FAULTS) for soc in SOCS
                     if (faults.has_2002(name) if soc == "ascend310p" else faults.has_2201(name))]



@pytest.mark.parametrize("soc,name", KERNEL_FAULT_RUNS)
def test_broken_kernel_is_stopped(soc, name):
    with pytest.raises(faults.SimError, match=KERNEL_FAULTS[name]):
        faults.run_fault(name, soc)


@pytest.mark.parametrize("soc", SOCS)
def test_unbroken_tiling_is_exact(soc):
    x, w, scale, bias = _problem()
    y, _, _ = _run_tiling(soc, {})
    golden = reference.quant_conv2d(x, w, scale, bias, 1, 1, 1, 0)
    assert np.array_equal(y.view(np.uint16), golden.view(np.uint16))


@pytest.mark.parametrize("soc", SOCS)
@pytest.mark.parametrize("overrides,finding", TILING_FAULTS, ids=[str(o) for o, _ in TILING_FAULTS])
def test_broken_tiling_is_stopped(soc, overrides, finding):
    with pytest.raises(faults.SimError, match=finding):
        _run_tiling(soc, overrides)


@pytest.mark.parametrize("overrides,finding", SPLIT_ONLY_TILING_FAULTS,
                         ids=[str(o) for o, _ in SPLIT_ONLY_TILING_FAULTS])
def test_broken_split_tiling_is_stopped(overrides, finding):
    with pytest.raises(faults.SimError, match=finding):
        _run_tiling("ascend910b", overrides)


def test_findings_name_the_core():
    with pytest.raises(faults.SimError) as info:
        faults.run_fault("fault_use_after_free", "ascend910b")
    assert re.search(r"\[core aiv\d+, block \d+\]", str(info.value))
