"""Whole networks through the kit: digits-cnn trained here on scikit-learn's digits (accuracy on real data, the
twin of ascend910b and ascend310p giving the CPU op's predictions bit for bit), and torchvision's ResNet-50
with random init at 64 x 64 (53 convolutions converted, SQNR of the logits, every layer bit-exact between
the CPU op and the twin of ascend910b). The 224 x 224 numbers are bench/bench_model.py's."""
from __future__ import annotations

import pytest
import torch

import qconv
from qconv import _native, model_run, models
from qconv.quantize import quantized_layers

try:
    _native.load("_sim")
except _native.NativeModuleMissing as e:  # pragma: no cover - reported, not hidden
    pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def digits():
    split = models.load_digits()
    model = models.train_digits_cnn(split)
    qmodel, report = qconv.quantize_model(model, split.train_x[:256])
    return split, model, qmodel, report


def test_digits_int8_within_one_point_of_float(digits):
    split, model, qmodel, report = digits
    assert report.converted == ["0", "3", "7"] and not report.left_float
    assert report.folded_batchnorms == {"1": "0", "4": "3", "8": "7"}
    float_top1 = models.top1(model, split.test_x, split.test_y)
    int8_top1 = models.top1(qmodel, split.test_x, split.test_y)
    assert len(split.test_y) == 449 and float_top1 > 97.0
    assert abs(int8_top1 - float_top1) <= 1.0, (float_top1, int8_top1)


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_digits_twin_gives_the_cpu_op_predictions(digits, soc):
    split, _, qmodel, _ = digits
    cpu_logits, cpu_layers = model_run.run_model(qmodel, split.test_x, "cpu", soc)
    twin_logits, twin_layers = model_run.run_model(qmodel, split.test_x, "sim", soc)
    assert [r.mismatches for r in twin_layers] == [0, 0, 0]
    assert [r.output_shape for r in twin_layers] == [r.output_shape for r in cpu_layers] == \
        [(449, 16, 8, 8), (449, 32, 8, 8), (449, 64, 4, 4)]
    assert torch.equal(twin_logits, cpu_logits)


@pytest.mark.parametrize("soc", ["ascend910b", "ascend310p"])
def test_digits_asymmetric_on_the_twin(digits, soc):
    """Zero points != 0: offset_x pads every 3x3 layer; on 910b the bias carries -offset_x * sum(w) (pad_only),
    on 310p the kernel's zero-point form subtracts it (the constant L0A tile) and the bias does not."""
    split, model, _, _ = digits
    qmodel, report = qconv.quantize_model(model, split.train_x[:256], symmetric=False, soc=soc)
    assert all(layer.conv.offset_x != 0 for layer in quantized_layers(qmodel).values())
    cpu_logits, _ = model_run.run_model(qmodel, split.test_x, "cpu", soc)
    twin_logits, layers = model_run.run_model(qmodel, split.test_x, "sim", soc)
    assert [r.mismatches for r in layers] == [0, 0, 0] and torch.equal(twin_logits, cpu_logits)
    with qconv.target.using(soc):    # the CPU op computes the semantics of the SoC the model was built for
        assert abs(models.top1(qmodel, split.test_x, split.test_y) -
                   models.top1(model, split.test_x, split.test_y)) <= 1.0


def test_run_model_and_cli_refuse_bad_arguments(digits, capsys):
    from qconv import cli
    _, _, qmodel, _ = digits
    with pytest.raises(ValueError, match=r"backend = 'npu' is not supported; allowed: 'cpu', 'sim'"):
        model_run.run_model(qmodel, torch.zeros(1, 1, 8, 8), "npu")
    with pytest.raises(ValueError, match=r"soc = 'ascend999' is not supported"):
        model_run.run_model(qmodel, torch.zeros(1, 1, 8, 8), "cpu", "ascend999")
    assert cli.main(["model", "--arch", "resnet50", "--size", "16"]) == 2
    assert "--size must be >= 32" in capsys.readouterr().err


@pytest.fixture(scope="module")
def resnet50():
    model = models.resnet50(seed=0)
    qmodel, report = qconv.quantize_model(model, models.random_images(2, size=64, seed=1))
    return model, qmodel, report


def test_resnet50_converts_every_convolution(resnet50):
    _, qmodel, report = resnet50
    assert len(report.converted) == 53 and not report.left_float
    assert len(report.folded_batchnorms) == 53 and report.float_compute == ["fc (Linear)"]
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in qmodel.modules())


def test_resnet50_twin_bit_exact_per_layer_and_sqnr(resnet50):
    model, qmodel, _ = resnet50
    x = models.random_images(1, size=64, seed=2)
    with torch.no_grad():
        float_logits = model(x)
    cpu_logits, _ = model_run.run_model(qmodel, x, "cpu", "ascend910b")
    twin_logits, layers = model_run.run_model(qmodel, x, "sim", "ascend910b")
    assert len(layers) == 53
    assert {r.name: r.mismatches for r in layers if r.mismatches} == {}
    assert torch.equal(twin_logits, cpu_logits)
    assert model_run.sqnr_db(float_logits, cpu_logits) > 25.0     # 32 dB measured at 64 x 64, 35 at 224


def test_cli_model_digits_on_the_twin(capsys):
    from qconv import cli
    assert cli.main(["model", "--arch", "digits-cnn", "--backend", "sim", "--soc", "ascend310p", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "digits-cnn: 3 convolutions int8 on sim (twin of ascend310p)" in out
    assert "449x32x8x8" in out and "top-1 on the 449 held-out digits: float" in out
    assert "predictions differing between the twin and the CPU op: 0" in out
    assert "twin vs CPU op: 0 differing outputs over 3 layers" in out
