"""torch.compile(fullgraph=True) of a model built from QuantConv2d: output identical to eager."""
import pytest
import torch
from torch import nn

from qconv import QuantConv2d
from qconv.scale import trans_quant_param


class SmallNet(nn.Module):
    """Three QuantConv2d layers with float16 -> int8 requantization between them."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.layers = nn.ModuleList([
            QuantConv2d(8, 16, 3, torch.float16, padding=1, offset_x=-3),
            QuantConv2d(16, 16, 3, torch.float16, stride=2, padding=1, bias=False),
            QuantConv2d(16, 8, 1, torch.float16, offset_x=5),
        ])
        for i, layer in enumerate(self.layers):
            layer.weight.data = torch.randint(-128, 128, layer.weight.shape, generator=g, dtype=torch.int8)
            scale = torch.rand(layer.out_channels, generator=g) * 2.0**-12
            layer.scale.data = scale if i == 1 else trans_quant_param(scale)    # both scale dtypes
            if layer.bias is not None:
                layer.bias.data = torch.randint(-5000, 5000, (layer.out_channels,), generator=g, dtype=torch.int32)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.clamp(torch.round(layer(x).float() * 40.0), -128, 127).to(torch.int8)
        return self.layers[-1](x)


def inputs(shapes):
    g = torch.Generator().manual_seed(1)
    return [torch.randint(-128, 128, s, generator=g, dtype=torch.int8) for s in shapes]


@pytest.mark.parametrize("dynamic", [False, True])
def test_compiled_equals_eager(dynamic):
    from torch._dynamo.utils import counters
    torch._dynamo.reset()
    counters.clear()
    model = SmallNet().eval()
    compiled = torch.compile(model, fullgraph=True, dynamic=dynamic)
    # Non-square first input and batch >= 2: torch's own duck sizing and 0/1 specialization would
    # otherwise recompile; the op itself must not force any.
    shapes = [(2, 8, 16, 17)] if not dynamic else [(2, 8, 16, 17), (3, 8, 21, 13), (4, 8, 9, 30)]
    with torch.no_grad():
        for x in inputs(shapes):
            eager, comp = model(x), compiled(x)
            assert comp.dtype == torch.float16 and comp.shape == eager.shape
            assert torch.equal(comp.view(torch.int16), eager.view(torch.int16))
    assert counters["stats"]["unique_graphs"] == 1


def test_compiled_sees_weight_updates():
    torch._dynamo.reset()
    model = SmallNet().eval()
    compiled = torch.compile(model, fullgraph=True)
    x = inputs([(1, 8, 12, 12)])[0]
    before = compiled(x)
    model.layers[0].weight.data.neg_()
    after, eager = compiled(x), model(x)
    assert torch.equal(after.view(torch.int16), eager.view(torch.int16))
    assert not torch.equal(after, before)


def test_compile_reports_bad_input_at_trace_time():
    torch._dynamo.reset()
    compiled = torch.compile(SmallNet().eval(), fullgraph=True)
    with pytest.raises(Exception, match=r"input.shape\[1\] = 4 must equal in_channels = 8"):
        compiled(torch.zeros(1, 4, 8, 8, dtype=torch.int8))


def test_opcheck_registration():
    # torch.library's own consistency checks: schema, fake vs real kernel, autograd, AOT dispatch.
    from qconv.scale import trans_quant_param as tqp
    g = torch.Generator().manual_seed(2)
    x = torch.randint(-128, 128, (2, 8, 9, 10), generator=g, dtype=torch.int8)
    w = torch.randint(-128, 128, (4, 8, 3, 3), generator=g, dtype=torch.int8)
    s = torch.rand(4, generator=g)
    b = torch.randint(-100, 100, (4,), generator=g, dtype=torch.int32)
    for args in [(x, w, s, [1, 2], [1, 0], [1, 1], 1, 3, "rint", None, b, None),
                 (x, w, tqp(s), [2, 1], [0, 1], [2, 1], 1, -3, "rint", torch.float16, None, None)]:
        torch.library.opcheck(torch.ops.qconv.quant_conv2d.default, args)
