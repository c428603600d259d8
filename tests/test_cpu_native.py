"""qconv._cpu (cpu/) through the op: every path quant_conv2d can take, bit-identical to the golden.
The integer kernels (int_conv: quads and pairs, vector and scalar code), the float32 path with the
native cast/pad and epilogue passes (vector and scalar code) and with torch's passes; then the passes
alone (their own tests of the integer kernel: test_cpu_int_conv.py)."""
import numpy as np
import pytest
import torch

import qconv
from qconv import cpu_conv, reference
from qconv.scale import hardware_scale

native = cpu_conv.native_module()
needs_native = pytest.mark.skipif(native is None, reason="qconv._cpu is not built")


class _Scalar:
    """The native module with the float path's vector passes switched off."""

    def __getattr__(self, name):
        return getattr(native, name)

    def cast_pad(self, *args):
        native.cast_pad(*args, simd=False)

    def epilogue(self, *args):
        native.epilogue(*args, simd=False)


# path -> (native module or None, int kind (0: the float32 path), the integer kernel's vector bits)
PATHS = {"int_quads512": ("native", 4, 512), "int_quads256": ("native", 4, 256), "int_pairs": ("native", 2, 256),
         "int_quads_scalar": ("native", 4, 0), "int_pairs_scalar": ("native", 2, 0), "float_simd": ("native", 0, 512),
         "float_scalar": ("scalar", 0, 512), "float_torch": (None, 0, 512)}


@pytest.fixture(params=list(PATHS))
def passes(request):
    module, kind, bits = PATHS[request.param]
    if module is not None and native is None:
        pytest.skip("qconv._cpu is not built")
    if request.param in ("int_pairs", "float_simd") and not native.has_avx2_f16c():
        pytest.skip("no AVX2/F16C on this CPU")
    if request.param.startswith("int_quads") and bits and not native.has_avx512_vnni():
        pytest.skip("no AVX-512 VNNI on this CPU")
    previous = cpu_conv.native_module()
    cpu_conv.set_native_module({"native": native, "scalar": _Scalar(), None: None}[module])
    cpu_conv.set_int_kernel(kind, bits)
    yield request.param
    cpu_conv.set_native_module(previous)
    cpu_conv.set_int_kernel(None)


def bits(t):
    return t.contiguous().view(torch.int16)


def assert_exact(x, w, scale, bias, stride=1, padding=0, offset_x=0):
    out = qconv.quant_conv2d(x, w, scale, stride, padding, 1, 1, offset_x, bias=bias)
    expected = reference.quant_conv2d(x, w, scale, bias, stride, padding, 1, offset_x)
    assert out.shape == expected.shape and out.is_contiguous()
    mismatches = int((bits(out) != bits(expected)).sum())
    assert mismatches == 0, f"{mismatches} of {out.numel()} outputs differ from the golden"


def saturated(shape, g):
    return torch.randint(-128, -126, shape, generator=g, dtype=torch.int8)


# K = 1026 and 1040 (1x1), 2304 (256x3x3), 4608 (512x3x3): past the float32-exact bound of 1024.
@pytest.mark.parametrize("cin,k", [(1026, 1), (1040, 1), (256, 3), (512, 3)], ids=str)
@pytest.mark.parametrize("offset_x", [-128, 5])
def test_adversarial_large_k(passes, cin, k, offset_x):
    g = torch.Generator().manual_seed(cin + k)
    x, w = saturated((1, cin, 6, 7), g), saturated((19, cin, k, k), g)
    scale = torch.tensor([2.0**-e for e in range(8, 27)], dtype=torch.float32)
    bias = torch.randint(-2**31, 2**31 - 1, (19,), generator=g, dtype=torch.int32)   # wraps in int32
    for b in (None, bias):
        assert_exact(x, w, scale, b, padding=k // 2, offset_x=offset_x)


@pytest.mark.parametrize("layout", ["nchw", "channels_last", "sliced", "transposed_hw"])
def test_layouts_and_ragged_sizes(passes, layout):
    """Cout and Ho*Wo not multiples of the 8-wide tiles; inputs in every memory layout."""
    g = torch.Generator().manual_seed(7)
    base = torch.randint(-128, 128, (2, 21, 13, 11), generator=g, dtype=torch.int8)
    x = {"nchw": base, "channels_last": base.contiguous(memory_format=torch.channels_last),
         "sliced": torch.randint(-128, 128, (2, 42, 13, 23), generator=g, dtype=torch.int8)[:, ::2, :, 1::2],
         "transposed_hw": base.transpose(2, 3).contiguous().transpose(2, 3)}[layout]
    w = torch.randint(-128, 128, (13, 21, 3, 3), generator=g, dtype=torch.int8)
    scale = torch.rand(13, generator=g) * 2.0**-10
    bias = torch.randint(-2**20, 2**20, (13,), generator=g, dtype=torch.int32)
    before = x.clone()
    for stride, padding, offset_x in ((1, 1, 3), (2, 0, -7), (1, 2, 127)):
        assert_exact(x, w, scale, bias, stride, padding, offset_x)
    assert torch.equal(x, before)


@pytest.mark.parametrize("cin,k,hw", [(3, 7, 30), (64, 1, 9), (16, 3, 8), (1, 3, 6)], ids=str)
def test_resnet_like_shapes(passes, cin, k, hw):
    g = torch.Generator().manual_seed(cin * k)
    x = torch.randint(-128, 128, (3, cin, hw, hw), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (24, cin, k, k), generator=g, dtype=torch.int8)
    scale = torch.rand(24, generator=g) * 2.0**-6          # many outputs saturate
    bias = torch.randint(-2**24, 2**24, (24,), generator=g, dtype=torch.int32)
    assert_exact(x, w, scale, bias, stride=2 if k == 7 else 1, padding=k // 2, offset_x=-3)


def test_empty_batch(passes):
    x = torch.zeros((0, 8, 5, 5), dtype=torch.int8)
    w = torch.ones((4, 8, 3, 3), dtype=torch.int8)
    out = qconv.quant_conv2d(x, w, torch.ones(4), 1, 1, 1, 1, 2)
    assert out.shape == (0, 4, 5, 5) and out.dtype == torch.float16


@needs_native
@pytest.mark.parametrize("simd", [True, False])
@pytest.mark.parametrize("layout", ["nhwc", "nchw"])
def test_epilogue_matches_the_golden_formula(simd, layout):
    """Random exact-integer partials over the whole fp16 range: subnormals, ties, saturation, -0."""
    g = torch.Generator().manual_seed(1)
    n, groups, cout, p = 2, 3, 19, 37
    parts = torch.randint(-2**24, 2**24 + 1, (n, groups * cout, p), generator=g).float()
    parts[0, :, :5] = 0.0
    scale = hardware_scale(torch.tensor(np.ldexp(1.0, -np.arange(cout) * 2 - 2), dtype=torch.float32))
    scale[3] = -scale[3]
    bias = torch.randint(-2**31, 2**31 - 1, (cout,), generator=g, dtype=torch.int32)
    y = parts if layout == "nchw" else parts.transpose(1, 2).contiguous().transpose(1, 2)
    acc = parts.to(torch.int64).view(n, groups, cout, p).sum(1) + bias.view(1, -1, 1).to(torch.int64)
    acc = ((acc + 2**31) % 2**32 - 2**31).to(torch.int32)
    expected = (acc.float() * scale.view(1, -1, 1)).clamp(-65504, 65504).half()
    out = torch.empty((n, cout, p), dtype=torch.float16)
    sn, sc, sp = y.stride()
    native.epilogue(y.data_ptr(), n, groups, cout, p, sn, sc, sp, bias.data_ptr(), scale.data_ptr(),
                    out.data_ptr(), simd=simd)
    assert torch.equal(bits(out), bits(expected))


@needs_native
@pytest.mark.parametrize("simd", [True, False])
def test_half_conversion_every_rounding_case(simd):
    """float32 -> fp16 RNE against torch: every finite half, every tie between neighbours (normal and
    subnormal) and its float32 neighbours, the 65504/65520 saturation edge, both signs."""
    h = torch.arange(0, 0x7C00, dtype=torch.int32).to(torch.int16).view(torch.float16).float()
    mids = ((h[:-1].double() + h[1:].double()) / 2).float()            # exact ties in float32
    values = torch.cat([h, mids, torch.nextafter(mids, torch.tensor(0.0)), torch.nextafter(mids, torch.tensor(1e9)),
                        torch.tensor([65519.0, 65520.0, 1e9])])
    values = torch.cat([values, -values])
    # acc = 1 (8 pixels per channel, channels contiguous) and scale = the value: y = value exactly.
    m = values.numel()
    ones = torch.ones(8 * m)
    out = torch.empty((m, 8), dtype=torch.float16)
    native.epilogue(ones.data_ptr(), 1, 1, m, 8, 8 * m, 1, m, 0, values.data_ptr(), out.data_ptr(), simd=simd)
    expected = values.clamp(-65504, 65504).half().view(m, 1).expand(m, 8)
    assert torch.equal(bits(out), bits(expected))


@needs_native
@pytest.mark.parametrize("simd", [True, False])
@pytest.mark.parametrize("channels_last", [True, False])
def test_cast_pad(simd, channels_last):
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-128, 128, (2, 19, 9, 27), generator=g, dtype=torch.int8)[:, :, :, ::3]
    ct, ph, pw, offset_x = 24, 2, 1, -77
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    out = torch.full((2, ct, 13, 11), float("nan")).contiguous(memory_format=fmt)
    native.cast_pad(x.data_ptr(), *x.shape, *x.stride(), out.data_ptr(), ct, ph, pw, offset_x, channels_last, simd=simd)
    expected = torch.zeros((2, ct, 13, 11))
    expected[:, :19] = float(offset_x)
    expected[:, :19, ph:ph + 9, pw:pw + 9] = x.float()
    assert torch.equal(out, expected)


def test_import_needs_no_native_module():
    code = ("import sys, importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'qconv._cpu': raise ImportError('blocked')\n"
            "import qconv._native as n\n"
            "n.load = lambda name: (_ for _ in ()).throw(n.NativeModuleMissing(name))\n"
            "import torch, qconv\n"
            "from qconv import cpu_conv\n"
            "assert cpu_conv.native_module() is None\n"
            "x = torch.randint(-128, 128, (1, 4, 5, 5), dtype=torch.int8)\n"
            "w = torch.randint(-128, 128, (3, 4, 3, 3), dtype=torch.int8)\n"
            "print(qconv.quant_conv2d(x, w, torch.ones(3), 1, 1, 1, 1, 2).shape)\n")
    import subprocess, sys
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "torch.Size([1, 3, 5, 5])" in done.stdout

