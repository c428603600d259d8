"""The filter packed once into FRACTAL_Z (qconv.pack_fractal_z): the layout, its round trip, the checks that
refuse a packing of the wrong filter, QuantConv2d's cache of it, and the kernel reading it as it is (no
weight layout pass, no ws.weight) bit-exact with the plain filter on both arches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from qconv import QuantConv2d, pack_fractal_z, reference, unpack_fractal_z
from qconv.weight_format import PackedWeight, fractal_z_shape


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (17, 33, 3, 5), (64, 64, 1, 1), (3, 100, 2, 1)])
def test_layout_and_round_trip(shape):
    w = torch.randint(-128, 128, shape, dtype=torch.int8, generator=torch.Generator().manual_seed(sum(shape)))
    packed = pack_fractal_z(w)
    cout, cin, kh, kw = shape
    assert tuple(packed.data.shape) == fractal_z_shape(*shape) == (-(-cin // 32) * kh * kw, -(-cout // 16), 16, 32)
    d = packed.data
    for co, ci, i, j in [(0, 0, 0, 0), (cout - 1, cin - 1, kh - 1, kw - 1), (cout // 2, cin // 3, kh // 2, kw // 2)]:
        assert d[(ci // 32 * kh + i) * kw + j, co // 16, co % 16, ci % 32] == w[co, ci, i, j]
    # Entries past Cin or Cout are zero.
    full = d.reshape(-1, kh, kw, d.shape[1], 16, 32).permute(3, 4, 0, 5, 1, 2).reshape(d.shape[1] * 16, -1, kh, kw)
    assert not full[cout:].any() and not full[:, cin:].any()
    assert torch.equal(unpack_fractal_z(packed), w)


def test_a_packing_of_another_filter_is_refused_by_name():
    packed = pack_fractal_z(torch.zeros((16, 32, 3, 3), dtype=torch.int8))
    with pytest.raises(ValueError, match=r"weight = FRACTAL_Z tensor of shape \(9, 1, 16, 32\) does not match the "
                                         r"filter \(Cout, Cin, kh, kw\) = \(16, 64, 3, 3\); expected shape "
                                         r"\(C1\*kh\*kw, N1, 16, 32\) = \(18, 1, 16, 32\)"):
        PackedWeight(packed.data, (16, 64, 3, 3))
    with pytest.raises(TypeError, match="weight = FRACTAL_Z tensor of dtype torch.int32"):
        PackedWeight(packed.data.int(), (16, 32, 3, 3))
    with pytest.raises(ValueError, match="weight = torch.float32 tensor of 4 dims is not supported"):
        pack_fractal_z(torch.zeros((1, 1, 1, 1)))


def test_the_module_packs_once_and_again_after_a_change():
    conv = QuantConv2d(8, 16, 3, torch.float16)
    conv.weight.data = torch.randint(-128, 128, (16, 8, 3, 3), dtype=torch.int8)
    first = conv.packed_weight()
    assert conv.packed_weight() is first
    assert torch.equal(unpack_fractal_z(first), conv.weight)
    with torch.no_grad():
        conv.weight[0, 0, 0, 0] += 1          # in place: the tensor's version moves
    second = conv.packed_weight()
    assert second is not first and torch.equal(unpack_fractal_z(second), conv.weight)
    conv.weight.data = torch.zeros_like(conv.weight)     # replaced
    assert not unpack_fractal_z(conv.packed_weight()).any()


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_the_kernel_reads_a_packed_filter_as_it_is(soc):
    from qconv import sim
    g = torch.Generator().manual_seed(7)
    x = torch.randint(-128, 128, (2, 40, 9, 11), dtype=torch.int8, generator=g)
    w = torch.randint(-128, 128, (20, 40, 3, 3), dtype=torch.int8, generator=g)
    scale = torch.rand(20, generator=g) * 1e-3
    bias = torch.randint(-1000, 1000, (20,), dtype=torch.int32, generator=g)
    plain, c_plain = sim.run(x, w, scale, bias, padding=1, offset_x=-7, soc=soc)
    packed, c_packed = sim.run(x, pack_fractal_z(w), scale, bias, padding=1, offset_x=-7, soc=soc)
    golden = reference.quant_conv2d(x.numpy(), w.numpy(), scale.numpy(), bias.numpy(), 1, 1, 1, -7, soc=soc)
    assert np.array_equal(packed.numpy().view(np.uint16), golden.view(np.uint16))
    assert torch.equal(plain.view(torch.int16), packed.view(torch.int16))
    # The packed launch reads the weight once from the input and never lays it out into the workspace.
    assert c_packed.tiling["gm_buffer_bytes"]["workspace"] < c_plain.tiling["gm_buffer_bytes"]["workspace"]
    written = sum(core["phases"][0][p]["gm"].get("workspace", {}).get("written", 0)
                  for core in c_packed.cores for p in ("MTE3",))
    written_plain = sum(core["phases"][0][p]["gm"].get("workspace", {}).get("written", 0)
                        for core in c_plain.cores for p in ("MTE3",))
    assert written_plain - written >= 20 * 40 * 9   # at least the filter's bytes were laid out only in the plain run


def test_op_host_refuses_a_mismatched_packing_in_the_same_words():
    """C++ CheckParams (what the TilingFunc runs for a FRACTAL_Z filter on the NPU) words it as Python does."""
    from qconv import sim
    data = pack_fractal_z(torch.zeros((16, 32, 1, 1), dtype=torch.int8)).data.numpy()
    x = np.zeros((1, 64, 4, 4), dtype=np.int8)
    with pytest.raises(ValueError) as cpp:
        sim._module().run(x, data, np.ones(16, dtype=np.float32), None, [1, 1], [0, 0], [1, 1], 0, "ascend910b",
                          [16, 64, 1, 1])
    with pytest.raises(ValueError) as py:
        PackedWeight(torch.from_numpy(data), (16, 64, 1, 1))
    assert str(cpp.value) == str(py.value)


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_dma_strides_at_the_cout_limit(soc):
    """At Cout = 65536 every DMA that steps over FRACTAL_Z rows uses its 16-bit stride field to the last value
    (N1 * 16 - 1 = 65535 blocks), in both weight formats; one more channel is refused by name instead of
    wrapping (it once returned 261,708 wrong outputs on 310P with no error)."""
    from qconv import sim
    g = torch.Generator().manual_seed(65536)
    x = torch.randint(-128, 128, (1, 1, 2, 3), dtype=torch.int8, generator=g)
    scale = torch.rand(65536, generator=g) * 1e-2
    w = torch.randint(-128, 128, (65536, 1, 1, 2), dtype=torch.int8, generator=g)
    golden = reference.quant_conv2d(x.numpy(), w.numpy(), scale.numpy(), soc=soc)
    for weight in (w, pack_fractal_z(w)):
        y, _ = sim.run(x, weight, scale, soc=soc)
        assert np.array_equal(y.numpy().view(np.uint16), golden.view(np.uint16))
    w1 = torch.zeros((65537, 1, 1, 2), dtype=torch.int8)
    with pytest.raises(ValueError, match=r"weight.shape\[0\] = 65537 is out of the allowed range \[1, 65536\]"):
        sim.run(x, w1, torch.ones(65537), soc=soc)
