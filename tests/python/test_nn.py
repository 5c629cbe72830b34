"""Modules from Python: C++ layers, Python subclasses registering parameters and children,
state dicts, printing, nn.functional and init against torch."""
import gc

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradflow as gf
import gradflow.nn.functional as F
from conftest import assert_close, pair


def copy_linear(g, t):
    """Give torch's Linear gradflow's weights."""
    with torch.no_grad():
        t.weight.copy_(torch.tensor(g.weight.detach().numpy()))
        t.bias.copy_(torch.tensor(g.bias.detach().numpy()))


def test_linear_matches_torch_and_prints_like_it():
    lin, tlin = gf.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    copy_linear(lin, tlin)
    x, tx = pair(np.linspace(-1, 1, 20).reshape(4, 5))
    assert_close(lin(x), tlin(tx))
    assert repr(lin) == repr(tlin) == "Linear(in_features=5, out_features=3, bias=True)"
    names = [n for n, _ in lin.named_parameters()]
    assert names == ["weight", "bias"]
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    bound = 1 / np.sqrt(5)
    assert np.abs(lin.weight.detach().numpy()).max() <= bound   # worked example 16
    assert repr(lin.bias).startswith("Parameter containing:\ntensor([")
    assert lin(x).grad_fn.name() == "AddmmBackward0"


class MLP(gf.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = gf.nn.Linear(4, 3)
        self.act = gf.nn.Tanh()
        self.fc2 = gf.nn.Linear(3, 2)
        self.scale = gf.nn.Parameter(gf.tensor([2.0]))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


class TorchMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 3)
        self.act = torch.nn.Tanh()
        self.fc2 = torch.nn.Linear(3, 2)
        self.scale = torch.nn.Parameter(torch.tensor([2.0]))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_python_subclass_registers_like_torch():
    m, tm = MLP(), TorchMLP()
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert list(m.state_dict().keys()) == list(tm.state_dict().keys())
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    assert repr(m) == repr(tm).replace("TorchMLP", "MLP")
    x, tx = pair(np.linspace(-2, 2, 12).reshape(3, 4))
    y, ty = m(x), tm(tx)
    assert_close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    for (n, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert_close(p.grad, tp.grad)
    m.zero_grad()
    assert all(p.grad is None or float(p.grad.abs().sum()) == 0.0 for p in m.parameters())
    assert m.training and not m.eval().training and m.train().training


def test_python_module_inside_cpp_sequential_calls_python_forward():
    class Double(gf.nn.Module):
        def forward(self, x):
            return x * 2

    seq = gf.nn.Sequential(gf.nn.Linear(2, 2), Double(), gf.nn.ReLU())
    gc.collect()   # the Python child must survive: Sequential keeps it
    x = gf.tensor([[1.0, -1.0]])
    lin = seq[0]
    expected = (lin(x) * 2).relu()
    assert_close(seq(x), expected)
    assert len(seq) == 3 and isinstance(seq[1], Double)
    assert "(1): Double()" in repr(seq)


def test_state_dict_roundtrip_and_errors():
    a, b = gf.nn.Linear(3, 2), gf.nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    assert_close(b.weight, a.weight)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        gf.nn.Linear(4, 2).load_state_dict(a.state_dict())


def test_functional_losses_match_torch():
    z, tz = pair(np.linspace(-2, 3, 15).reshape(5, 3), requires_grad=True)
    y = [0, 2, 1, 1, 0]
    gy, ty = gf.tensor(y), torch.tensor(y)
    for red in ["mean", "sum", "none"]:
        assert_close(F.cross_entropy(z, gy, reduction=red), TF.cross_entropy(tz, ty, reduction=red))
        assert_close(F.nll_loss(z.log_softmax(1), gy, reduction=red),
                     TF.nll_loss(tz.log_softmax(1), ty, reduction=red))
    F.cross_entropy(z, gy).backward()
    TF.cross_entropy(tz, ty).backward()
    assert_close(z.grad, tz.grad)
    t, tt = pair(np.linspace(0, 1, 15).reshape(5, 3))
    assert_close(F.mse_loss(z, t), TF.mse_loss(tz, tt))
    assert_close(F.binary_cross_entropy_with_logits(z, t), TF.binary_cross_entropy_with_logits(tz, tt))
    assert F.one_hot(gy, 3).tolist() == TF.one_hot(ty, 3).tolist()
    w, tw = pair(np.ones((2, 3)) * 0.5)
    assert_close(F.linear(z, w), TF.linear(tz, tw))


def test_worked_example_8_cross_entropy_gradient_is_p_minus_y():
    p = np.array([0.2, 0.7, 0.1])
    z = gf.tensor(np.log(p), requires_grad=True)
    F.cross_entropy(z.unsqueeze(0), gf.tensor([1])).backward()
    assert_close(z.grad, [0.2, -0.3, 0.1], tol=1e-12)


def test_init_and_clipping():
    w = gf.empty(300, 200)
    gf.nn.init.xavier_uniform_(w)
    a = np.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= a and np.abs(w.numpy()).max() > 0.9 * a
    assert gf.nn.init.calculate_gain("relu") == pytest.approx(np.sqrt(2))
    p = gf.ones(4, requires_grad=True)
    (p * gf.tensor([3.0, 4.0, 0.0, 0.0])).sum().backward()
    total = gf.nn.utils.clip_grad_norm_([p], 1.0)
    assert total == pytest.approx(5.0)
    assert_close(p.grad, np.array([3, 4, 0, 0]) / (5 + 1e-6), tol=1e-12)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        gf.nn.init.calculate_gain("wavy")


def test_reference_cycle_module_tensor_module_is_collected():
    import weakref

    class Holder(gf.nn.Module):
        pass

    m = Holder()
    t = gf.ones(3)
    m.t = t
    t.owner = m   # cycle: module -> tensor -> module
    ref = weakref.ref(m)
    del m, t
    gc.collect()
    assert ref() is None
