"""The two networks of the whole-model path (qconv.quantize_model, `qconv-kit model`):

digits-cnn  a small CNN trained here in seconds on scikit-learn's bundled digits (1797 8x8 images, shipped
            inside the package, nothing downloaded): the accuracy check on real data.
resnet50    torchvision 0.28.0's ResNet-50, random initialisation (no weights can be downloaded here):
            the real architecture, 53 convolutions, for SQNR, the twin and the torchair graph.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import torch
from torch import nn

ARCHS = ("digits-cnn", "resnet50")


class DigitsSplit(NamedTuple):
    train_x: torch.Tensor     # float32 (N, 1, 8, 8), pixel values 0..16 scaled to 0..1
    train_y: torch.Tensor     # int64 (N,)
    test_x: torch.Tensor
    test_y: torch.Tensor


def load_digits(test_fraction: float = 0.25, seed: int = 0) -> DigitsSplit:
    """scikit-learn's digits, split once by a seeded permutation (stratification not needed at 180/class)."""
    from sklearn.datasets import load_digits as sk_load_digits

    data = sk_load_digits()
    x = torch.from_numpy(data.images).to(torch.float32).unsqueeze(1) / 16.0
    y = torch.from_numpy(data.target).to(torch.int64)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return DigitsSplit(x[train], y[train], x[test], y[test])


def digits_cnn() -> nn.Sequential:
    """Three conv-BN-ReLU blocks (8x8 -> 4x4), global average pool, a linear classifier."""
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*block(1, 16), *block(16, 32), nn.MaxPool2d(2), *block(32, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def train_digits_cnn(split: DigitsSplit, epochs: int = 10, seed: int = 0) -> nn.Sequential:
    """Adam (lr 1e-2), batch 128, `epochs` passes: ~2 s, 99.6 % held-out top-1; returns the model in eval mode.
    Runs on one thread: at 8x8 images every op is tiny and threads only add synchronisation."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        model = digits_cnn()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(epochs):
            order = torch.randperm(len(split.train_y), generator=gen)
            for start in range(0, len(order), 128):
                idx = order[start:start + 128]
                loss = nn.functional.cross_entropy(model(split.train_x[idx]), split.train_y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    return model.eval()


def top1(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 256) -> float:
    """Top-1 accuracy in percent."""
    with torch.no_grad():
        predictions = torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, len(x), batch)])
    return 100.0 * (predictions == y).double().mean().item()


@functools.lru_cache(None)
def _torchvision():
    """import torchvision, also where its C++ extension cannot load.

    PyPI's torchvision 0.28.0 wheel for x86_64 is a CUDA build: its _C.so needs libc10_cuda.so, absent
    beside the CPU torch 2.13.0 wheel, so torchvision.extension._has_ops() is False. Its
    _meta_registrations.py still registers fake kernels for torchvision::nms and ::qnms unconditionally,
    which fails with "operator torchvision::nms does not exist". Declaring those two schemas (as
    torchvision/csrc/ops/nms.cpp and ops/quantized/cpu/qnms_kernel.cpp declare them) lets the pure-Python
    part import; the detection ops stay unavailable, which the models used here never call."""
    try:
        import torchvision
        return torchvision
    except RuntimeError as e:
        if "torchvision::nms" not in str(e):
            raise
    import sys
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    lib = torch.library.Library("torchvision", "FRAGMENT")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _torchvision.library = lib                    # kept alive: dropping it would undefine the schemas
    import torchvision
    return torchvision


def resnet50(seed: int = 0) -> nn.Module:
    """torchvision's ResNet-50 (v1.5), random initialisation from `seed`, eval mode."""
    tv = _torchvision()
    torch.manual_seed(seed)
    return tv.models.resnet50(weights=None).eval()


def random_images(n: int, size: int = 224, seed: int = 0) -> torch.Tensor:
    """float32 (n, 3, size, size) standard-normal 'images' (ImageNet-normalised inputs are about that)."""
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))
