"""BatchNorm folding for qconv.quantize_model: a BatchNorm2d fed directly by a Conv2d becomes part of that
convolution's weight and bias, and is replaced by nn.Identity.

Which BatchNorm follows which convolution is read from a forward pass (the BatchNorm's input is the very
tensor the convolution returned), so any model whose forward is ordinary Python works, with no tracing.
The folded model is then compared with the original on the same batch: a convolution whose output also
feeds something besides its BatchNorm would change that consumer, and the comparison reports it.
"""
from __future__ import annotations

import torch
from torch import nn


def _pairs_from_forward(model: nn.Module, batch: torch.Tensor) -> dict[str, str]:
    """{batchnorm name: conv name} for every BatchNorm2d whose input is a Conv2d's output, on every call."""
    conv_outputs: dict[int, tuple[str, torch.Tensor]] = {}
    fed_by: dict[str, set] = {}
    calls: dict[str, int] = {}
    handles = []

    def conv_hook(name):
        def hook(module, inputs, output):
            calls[name] = calls.get(name, 0) + 1
            conv_outputs[id(output)] = (name, output)      # the tensor is kept, so its id stays unique
        return hook

    def bn_hook(name):
        def hook(module, inputs):
            calls[name] = calls.get(name, 0) + 1
            source = conv_outputs.get(id(inputs[0]))
            fed_by.setdefault(name, set()).add(source[0] if source and source[1] is inputs[0] else None)
        return hook

    for name, module in model.named_modules():
        if type(module) is nn.Conv2d:
            handles.append(module.register_forward_hook(conv_hook(name)))
        elif type(module) is nn.BatchNorm2d:
            handles.append(module.register_forward_pre_hook(bn_hook(name)))
    try:
        with torch.no_grad():
            model(batch)
    finally:
        for h in handles:
            h.remove()
    pairs = {}
    for bn, sources in fed_by.items():
        (conv,) = sources if len(sources) == 1 else (None,)
        if conv is not None and calls[conv] == 1 and calls[bn] == 1:
            pairs[bn] = conv
    return pairs


def _fold(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> None:
    """conv <- bn(conv(.)) in float64, stored back in the conv's dtype."""
    w = conv.weight.detach().double()
    b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
    gain = bn.weight.detach().double() if bn.affine else torch.ones_like(b)
    shift = bn.bias.detach().double() if bn.affine else torch.zeros_like(b)
    inv_std = torch.rsqrt(bn.running_var.detach().double() + bn.eps)
    factor = gain * inv_std
    conv.weight.data = (w * factor.view(-1, 1, 1, 1)).to(conv.weight.dtype)
    folded_bias = ((b - bn.running_mean.detach().double()) * factor + shift).to(conv.weight.dtype)
    if conv.bias is None:
        conv.bias = nn.Parameter(folded_bias, requires_grad=conv.weight.requires_grad)
    else:
        conv.bias.data = folded_bias


def _set_submodule(model: nn.Module, name: str, module: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, child, module)


def fold_batchnorms(model: nn.Module, batch: torch.Tensor, rtol: float = 1e-3) -> dict[str, str]:
    """Folds, in place, every BatchNorm2d (with running statistics) fed directly and only by a Conv2d
    into it; returns {batchnorm name: conv name}. Raises RuntimeError if the folded model's output on
    `batch` differs from the original's by more than rtol of the output's largest magnitude."""
    with torch.no_grad():
        before = model(batch)
    pairs = _pairs_from_forward(model, batch)
    for bn_name, conv_name in pairs.items():
        bn = model.get_submodule(bn_name)
        if bn.running_mean is None or bn.running_var is None:
            continue
        _fold(model.get_submodule(conv_name), bn)
        _set_submodule(model, bn_name, nn.Identity())
    with torch.no_grad():
        after = model(batch)
    if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor):
        err = (after.double() - before.double()).abs().max().item()
        bound = rtol * max(before.double().abs().max().item(), 1e-12)
        if err > bound:
            raise RuntimeError(f"folding BatchNorm into {sorted(pairs.values())} changed the model's output by "
                               f"{err:.3g} (more than {bound:.3g}): a convolution's output feeds more than its "
                               "BatchNorm; fold by hand or pass fold_bn=False")
    return {bn: conv for bn, conv in pairs.items() if isinstance(model.get_submodule(bn), nn.Identity)}
