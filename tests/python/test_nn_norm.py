"""Normalization, Dropout2d, Upsample/interpolate and the activation modules against torch, in
float64: outputs, gradients of input and parameters, running statistics, printing."""
import numpy as np
import pytest
import torch

import gradflow as gf
from conftest import assert_close, pair

RNG = np.random.default_rng(7)
X4 = RNG.standard_normal((3, 4, 5, 6))
W_OUT4 = RNG.standard_normal((3, 4, 5, 6))


def backward_both(gy, ty, w):
    (gy * gf.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()


def set_affine(gm, tm, seed):
    """Non-trivial weight and bias, the same in both modules."""
    r = np.random.default_rng(seed)
    w = r.standard_normal(tuple(tm.weight.shape))
    b = r.standard_normal(tuple(tm.bias.shape))
    with gf.no_grad():
        gm.weight.copy_(gf.tensor(w))
        gm.bias.copy_(gf.tensor(b))
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(w))
        tm.bias.copy_(torch.tensor(b))


@pytest.mark.parametrize("make", [
    lambda nn: nn.LayerNorm([5, 6]),
    lambda nn: nn.LayerNorm(6, eps=1e-3),
    lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.GroupNorm(4, 4, eps=1e-2),
])
def test_layer_and_group_norm_modules(make):
    gm, tm = make(gf.nn), make(torch.nn)
    assert repr(gm) == repr(tm)
    set_affine(gm, tm, 1)
    gx, tx = pair(X4, requires_grad=True)
    gy, ty = gm(gx), tm(tx)
    assert_close(gy, ty)
    backward_both(gy, ty, W_OUT4)
    assert_close(gx.grad, tx.grad)
    assert_close(gm.weight.grad, tm.weight.grad)
    assert_close(gm.bias.grad, tm.bias.grad)
    assert gy.grad_fn.name() == ty.grad_fn.name()
    assert [n for n, _ in gm.named_parameters()] == [n for n, _ in tm.named_parameters()]


def test_layer_and_group_norm_functional_and_no_affine():
    gx, tx = pair(X4, requires_grad=True)
    gw, tw = pair(RNG.standard_normal(6), requires_grad=True)
    gy = gf.nn.functional.layer_norm(gx, (6,), gw, None, 1e-4)
    ty = torch.nn.functional.layer_norm(tx, (6,), tw, None, 1e-4)
    gz = gf.nn.functional.group_norm(gx, 2)
    tz = torch.nn.functional.group_norm(tx, 2)
    assert_close(gy, ty)
    assert_close(gz, tz)
    backward_both(gy + gz, ty + tz, W_OUT4)
    assert_close(gx.grad, tx.grad)
    assert_close(gw.grad, tw.grad)
    ln = gf.nn.LayerNorm(6, elementwise_affine=False)
    assert ln.weight is None and list(ln.parameters()) == []
    assert_close(ln(gf.tensor(X4)), torch.nn.LayerNorm(6, elementwise_affine=False)(torch.tensor(X4)))


@pytest.mark.parametrize("dims,shape", [(1, (6, 4)), (1, (6, 4, 5)), (2, (3, 4, 5, 6)), (3, (2, 4, 3, 2, 3))])
def test_batch_norm_train_then_eval(dims, shape):
    name = f"BatchNorm{dims}d"
    gm, tm = getattr(gf.nn, name)(4, momentum=0.2), getattr(torch.nn, name)(4, momentum=0.2)
    assert repr(gm) == repr(tm)
    set_affine(gm, tm, dims)
    x = np.random.default_rng(dims).standard_normal(shape) * 2 + 1
    w = np.random.default_rng(9).standard_normal(shape)
    for step in range(2):
        gx, tx = pair(x + step, requires_grad=True)
        gy, ty = gm(gx), tm(tx)
        assert_close(gy, ty)
        backward_both(gy, ty, w)
        assert_close(gx.grad, tx.grad)
    assert_close(gm.weight.grad, tm.weight.grad)
    assert_close(gm.bias.grad, tm.bias.grad)
    assert_close(gm.running_mean, tm.running_mean)
    assert_close(gm.running_var, tm.running_var)  # unbiased variance, momentum 0.2
    assert gm.num_batches_tracked.item() == tm.num_batches_tracked.item() == 2
    assert list(gm.state_dict().keys()) == list(tm.state_dict().keys())
    gm.eval()
    tm.eval()
    gx, tx = pair(x, requires_grad=True)
    assert_close(gm(gx), tm(tx))


def test_batch_norm_cumulative_momentum_and_functional():
    gm, tm = gf.nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    for s in range(3):
        x = np.random.default_rng(s).standard_normal((5, 3))
        gm(gf.tensor(x))
        tm(torch.tensor(x))
    assert gm.momentum is None
    assert_close(gm.running_mean, tm.running_mean)
    assert_close(gm.running_var, tm.running_var)
    gx, tx = pair(X4, requires_grad=True)
    gmean, tmean = pair(np.zeros(4))
    gvar, tvar = pair(np.ones(4))
    gy = gf.nn.functional.batch_norm(gx, gmean, gvar, training=True, momentum=0.3)
    ty = torch.nn.functional.batch_norm(tx, tmean, tvar, training=True, momentum=0.3)
    assert_close(gy, ty)
    assert_close(gmean, tmean)
    assert_close(gvar, tvar)
    backward_both(gy, ty, W_OUT4)
    assert_close(gx.grad, tx.grad)
    assert_close(gf.nn.functional.batch_norm(gx.detach(), gmean, gvar),
                 torch.nn.functional.batch_norm(tx.detach(), tmean, tvar))


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((2, 3, 4, 5), dict(size=(7, 3))),
    ((2, 3, 4, 5), dict(scale_factor=(1.5, 2.0), mode="bilinear")),
    ((2, 3, 4, 5), dict(size=(6, 9), mode="bilinear", align_corners=True)),
    ((2, 3, 4, 5), dict(size=(3, 7), mode="nearest-exact")),
    ((2, 3, 8, 6), dict(size=(3, 4), mode="area")),
    ((2, 3, 5), dict(scale_factor=2.5, mode="linear")),
    ((2, 3, 5), dict(size=8, mode="linear", align_corners=True)),
    ((2, 3, 5), dict(size=9)),
])
def test_interpolate_matches_torch(shape, kwargs):
    x = np.random.default_rng(3).standard_normal(shape)
    gx, tx = pair(x, requires_grad=True)
    gy = gf.nn.functional.interpolate(gx, **kwargs)
    ty = torch.nn.functional.interpolate(tx, **kwargs)
    assert_close(gy, ty)
    backward_both(gy, ty, np.random.default_rng(4).standard_normal(tuple(ty.shape)))
    assert_close(gx.grad, tx.grad)


def test_upsample_module():
    up = gf.nn.Upsample(scale_factor=2, mode="bilinear")
    tup = torch.nn.Upsample(scale_factor=2, mode="bilinear")
    x = np.random.default_rng(5).standard_normal((1, 2, 3, 3))
    assert_close(up(gf.tensor(x)), tup(torch.tensor(x)))
    assert up.mode == "bilinear"
    assert_close(gf.nn.Upsample(size=(5, 4))(gf.tensor(x)), torch.nn.Upsample(size=(5, 4))(torch.tensor(x)))


def test_dropout2d_drops_whole_channels():
    gf.manual_seed(3)
    x = gf.ones(8, 16, 3, 3)
    for y in [gf.nn.Dropout2d(0.25)(x), gf.nn.functional.dropout2d(x, 0.25)]:
        per_channel = y.reshape(8, 16, 9).numpy()
        # every channel is all zeros or all 1/(1 - p)
        assert np.all((per_channel == 0).all(-1) | np.isclose(per_channel, 1 / 0.75).all(-1))
        dropped = (per_channel == 0).all(-1).mean()
        assert 0.1 < dropped < 0.4
    d = gf.nn.Dropout2d(0.5)
    assert repr(d) == repr(torch.nn.Dropout2d(0.5))
    d.eval()
    assert d(x) is not None and d(x).tolist() == x.tolist()


ACTIVATIONS = [
    ("LeakyReLU", dict(negative_slope=0.2)), ("ELU", dict(alpha=0.7)), ("CELU", dict(alpha=1.3)),
    ("SELU", {}), ("ReLU6", {}), ("GELU", {}), ("GELU", dict(approximate="tanh")),
    ("Softplus", dict(beta=2, threshold=5)), ("Hardtanh", dict(min_val=-0.5, max_val=2.0)),
    ("GLU", dict(dim=1)), ("PReLU", {}), ("SiLU", {}), ("Mish", {}), ("Softsign", {}),
    ("Hardsigmoid", {}), ("Hardswish", {}), ("LogSigmoid", {}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS)
def test_activation_modules_match_torch(name, kwargs):
    gm, tm = getattr(gf.nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(gm) == repr(tm)
    x = np.random.default_rng(2).standard_normal((4, 6)) * 4
    gx, tx = pair(x, requires_grad=True)
    gy, ty = gm(gx), tm(tx)
    assert_close(gy, ty)
    backward_both(gy, ty, np.random.default_rng(1).standard_normal(tuple(ty.shape)))
    # torch's CELU backward rounds 1/alpha to float32 (derivatives.yaml: 1.0 / alpha.toFloat())
    assert_close(gx.grad, tx.grad, tol=1e-7 if name == "CELU" else 1e-10)
    if name == "PReLU":
        assert_close(gm.weight.grad, tm.weight.grad)


def test_new_layers_compose_in_python_subclasses():
    class Net(gf.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = gf.nn.Conv2d(1, 4, 3, padding=1)
            self.bn = gf.nn.BatchNorm2d(4)
            self.act = gf.nn.LeakyReLU(0.1)
            self.up = gf.nn.Upsample(scale_factor=2)

        def forward(self, x):
            return self.up(self.act(self.bn(self.conv(x))))

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["conv.weight", "conv.bias", "bn.weight", "bn.bias"]
    assert "bn.running_mean" in net.state_dict()
    y = net(gf.randn(2, 1, 4, 4))
    assert tuple(y.shape) == (2, 4, 8, 8)
    y.sum().backward()
    assert net.bn.weight.grad is not None
