"""Convolutions, pools, pad and the activations with options (functional and modules), and
gradflow.models, against torch in the same process: values, gradients, printing, state_dicts."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradflow as gf
import gradflow.nn.functional as F
from conftest import assert_close, pair


def rng_pair(shape, seed, requires_grad=True):
    return pair(np.random.default_rng(seed).normal(size=shape), requires_grad=requires_grad)


def check_grads(y, ty, inputs, tinputs, seed=7, tol=1e-10):
    w = np.random.default_rng(seed).normal(size=tuple(ty.shape))
    (y * gf.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for a, b in zip(inputs, tinputs):
        assert_close(a.grad, b.grad, tol)


@pytest.mark.parametrize("kwargs", [
    dict(), dict(stride=2, padding=1), dict(padding="same", dilation=2), dict(padding="valid"),
    dict(stride=(2, 1), padding=(1, 0), groups=2)])
def test_conv2d_matches_torch(kwargs):
    x, tx = rng_pair((2, 4, 7, 6), 1)
    groups = kwargs.get("groups", 1)
    w, tw = rng_pair((6, 4 // groups, 3, 3), 2)
    b, tb = rng_pair((6,), 3)
    y, ty = F.conv2d(x, w, b, **kwargs), TF.conv2d(tx, tw, tb, **kwargs)
    assert_close(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    check_grads(y, ty, [x, w, b], [tx, tw, tb])


def test_conv1d_and_transposed_convs_match_torch():
    x, tx = rng_pair((2, 3, 9), 4)
    w, tw = rng_pair((5, 3, 3), 5)
    y, ty = F.conv1d(x, w, stride=2, padding=1), TF.conv1d(tx, tw, stride=2, padding=1)
    assert_close(y, ty)
    check_grads(y, ty, [x, w], [tx, tw])
    x2, tx2 = rng_pair((1, 4, 5, 5), 6)
    w2, tw2 = rng_pair((4, 3, 3, 3), 7)
    y2 = F.conv_transpose2d(x2, w2, stride=2, padding=1, output_padding=1)
    ty2 = TF.conv_transpose2d(tx2, tw2, stride=2, padding=1, output_padding=1)
    assert_close(y2, ty2)
    check_grads(y2, ty2, [x2, w2], [tx2, tw2])
    x3, tx3 = rng_pair((1, 3, 6), 8)
    w3, tw3 = rng_pair((3, 2, 4), 9)
    assert_close(F.conv_transpose1d(x3, w3, stride=2), TF.conv_transpose1d(tx3, tw3, stride=2))


def test_pools_match_torch():
    x, tx = rng_pair((2, 3, 8, 7), 10)
    cases = [
        (lambda f, t: f.max_pool2d(t, 2), None),
        (lambda f, t: f.max_pool2d(t, 3, stride=2, padding=1, ceil_mode=True), None),
        (lambda f, t: f.max_pool2d(t, (2, 3), dilation=(1, 2)), None),
        (lambda f, t: f.avg_pool2d(t, 3, stride=2, padding=1, count_include_pad=False), None),
        (lambda f, t: f.avg_pool2d(t, 2, divisor_override=3), None),
        (lambda f, t: f.adaptive_avg_pool2d(t, (3, 2)), None),
        (lambda f, t: f.adaptive_max_pool2d(t, 3), None),
    ]
    for k, (f, _) in enumerate(cases):
        x.grad, tx.grad = None, None
        y, ty = f(F, x), f(TF, tx)
        assert_close(y, ty)
        check_grads(y, ty, [x], [tx], seed=k)
    v, i = F.max_pool2d(x, 2, return_indices=True)
    tv, ti = TF.max_pool2d(tx, 2, return_indices=True)
    assert_close(v, tv) and i.tolist() == ti.tolist()
    v, i = F.adaptive_max_pool2d(x, 2, return_indices=True)
    assert i.tolist() == TF.adaptive_max_pool2d(tx, 2, return_indices=True)[1].tolist()


@pytest.mark.parametrize("name,kwargs", [
    ("leaky_relu", dict(negative_slope=0.2)), ("elu", dict(alpha=0.7)), ("celu", dict(alpha=1.3)),
    ("gelu", dict()), ("gelu", dict(approximate="tanh")), ("softplus", dict(beta=2.0)),
    ("hardtanh", dict(min_val=-0.5, max_val=0.75)), ("selu", dict()), ("relu6", dict()),
    ("silu", dict()), ("mish", dict()), ("softsign", dict()), ("hardsigmoid", dict()),
    ("hardswish", dict()), ("logsigmoid", dict()), ("glu", dict(dim=0))])
def test_activations_with_options_match_torch(name, kwargs):
    x, tx = pair(np.linspace(-4.1, 7.3, 12).reshape(4, 3) * 1.1, requires_grad=True)
    y, ty = getattr(F, name)(x, **kwargs), getattr(TF, name)(tx, **kwargs)
    assert_close(y, ty)
    # celu's gradient differs from torch's by up to 1e-7 relative (the C++ formula, not the binding)
    check_grads(y, ty, [x], [tx], tol=1e-6 if name == "celu" else 1e-10)


def test_prelu_matches_torch():
    x, tx = rng_pair((2, 3, 4), 11)
    w, tw = pair([0.25, -0.5, 1.5], requires_grad=True)
    y, ty = F.prelu(x, w), TF.prelu(tx, tw)
    assert_close(y, ty)
    check_grads(y, ty, [x, w], [tx, tw])


def test_conv_and_pool_modules_print_and_compute_like_torch():
    pairs = [
        (gf.nn.Conv2d(3, 8, 5, stride=2, padding=2), torch.nn.Conv2d(3, 8, 5, stride=2, padding=2)),
        (gf.nn.Conv2d(4, 4, (3, 1), groups=2, bias=False),
         torch.nn.Conv2d(4, 4, (3, 1), groups=2, bias=False)),
        (gf.nn.Conv1d(2, 3, 3, padding="same"), torch.nn.Conv1d(2, 3, 3, padding="same")),
        (gf.nn.ConvTranspose2d(3, 2, 3, stride=2), torch.nn.ConvTranspose2d(3, 2, 3, stride=2)),
    ]
    for g, t in pairs:
        assert repr(g) == repr(t)
        assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
        with torch.no_grad():
            for (_, gp), (_, tp) in zip(g.named_parameters(), t.named_parameters()):
                tp.copy_(torch.tensor(gp.detach().numpy()))
        shape = (1, g.weight.shape[1] * (2 if "groups=2" in repr(g) else 1), 7, 7)
        if isinstance(g, gf.nn.ConvTranspose2d):
            shape = (1, 3, 4, 4)
        if isinstance(g, gf.nn.Conv1d):
            shape = (1, 2, 6)
        x, tx = rng_pair(shape, 12, requires_grad=False)
        assert_close(g(x), t(tx))
        assert g.weight.shape == tuple(t.weight.shape)
    for g, t in [(gf.nn.MaxPool2d(3, stride=2), torch.nn.MaxPool2d(3, stride=2)),
                 (gf.nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
                 (gf.nn.AdaptiveAvgPool2d((6, 6)), torch.nn.AdaptiveAvgPool2d((6, 6))),
                 (gf.nn.AdaptiveMaxPool2d(2), torch.nn.AdaptiveMaxPool2d(2))]:
        assert repr(g) == repr(t)
        x, tx = rng_pair((1, 2, 9, 9), 13, requires_grad=False)
        assert_close(g(x), t(tx))


def test_python_cnn_trains_like_torch():
    """A Python nn.Module subclass with Conv2d, pools and Linear: same loss trajectory as torch."""
    class Net(gf.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = gf.nn.Conv2d(1, 4, 3, padding=1)
            self.pool = gf.nn.MaxPool2d(2)
            self.fc = gf.nn.Linear(4 * 4 * 4, 3)

        def forward(self, x):
            return self.fc(self.pool(self.conv(x).relu()).flatten(1))

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
            self.pool = torch.nn.MaxPool2d(2)
            self.fc = torch.nn.Linear(4 * 4 * 4, 3)

        def forward(self, x):
            return self.fc(self.pool(self.conv(x).relu()).flatten(1))

    net, tnet = Net(), TNet()
    tnet.load_state_dict({k: torch.tensor(v.numpy()) for k, v in net.state_dict().items()})
    x, tx = rng_pair((5, 1, 8, 8), 14, requires_grad=False)
    y = gf.tensor([0, 2, 1, 1, 0])
    opt, topt = gf.optim.SGD(net.parameters(), lr=0.1), torch.optim.SGD(tnet.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        topt.zero_grad()
        loss, tloss = F.cross_entropy(net(x), y), TF.cross_entropy(tnet(tx), torch.tensor(y.numpy()))
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
        assert loss.item() == pytest.approx(tloss.item(), abs=1e-12)


def test_lenet5_loads_a_torch_state_dict_and_gives_its_logits():
    model = gf.models.LeNet5()
    torch_model = torch.nn.ModuleDict(dict(
        conv1=torch.nn.Conv2d(1, 6, 5, padding=2), conv2=torch.nn.Conv2d(6, 16, 5),
        fc1=torch.nn.Linear(16 * 5 * 5, 120), fc2=torch.nn.Linear(120, 84),
        fc3=torch.nn.Linear(84, 10)))
    sd = torch_model.state_dict()
    assert list(model.state_dict().keys()) == list(sd.keys())
    model.load_state_dict({k: gf.tensor(v.numpy()) for k, v in sd.items()})
    x, tx = rng_pair((2, 1, 28, 28), 15, requires_grad=False)
    m = torch_model
    h = TF.max_pool2d(TF.relu(m.conv1(tx)), 2)
    h = TF.max_pool2d(TF.relu(m.conv2(h)), 2).flatten(1)
    logits = m.fc3(TF.relu(m.fc2(TF.relu(m.fc1(h)))))
    assert_close(model(x), logits)
    assert model.conv1.weight.shape == (6, 1, 5, 5) and model.fc3.bias.shape == (10,)


def test_alexnet_has_torchvision_names_shapes_and_print():
    torchvision = pytest.importorskip("torchvision")
    g = gf.models.AlexNet(num_classes=10)
    t = torchvision.models.AlexNet(num_classes=10)
    gs, ts = g.state_dict(), t.state_dict()
    assert list(gs.keys()) == list(ts.keys())
    assert all(gs[k].shape == tuple(ts[k].shape) for k in gs)
    assert repr(g) == repr(t)
    assert isinstance(g.features, gf.nn.Sequential.__mro__[1]) and len(g.classifier) == 7
