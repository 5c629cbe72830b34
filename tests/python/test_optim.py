"""Optimizers and schedulers: float64 trajectories equal torch's to 1e-10."""
import numpy as np
import pytest
import torch

import gradflow as gf
import gradflow.nn.functional as F
from conftest import assert_close


def trajectories(make_gf, make_torch, steps=25, scheduler=None):
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(16, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    y = rng.integers(0, 3, size=16)
    gp = [gf.tensor(W, requires_grad=True), gf.tensor(b, requires_grad=True)]
    tp = [torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)]
    go, to = make_gf(gp), make_torch(tp)
    gs = ts = None
    if scheduler:
        gs, ts = scheduler[0](go), scheduler[1](to)
    gX, tX, gy, ty = gf.tensor(X), torch.tensor(X), gf.tensor(y), torch.tensor(y)
    for _ in range(steps):
        go.zero_grad()
        to.zero_grad()
        F.cross_entropy(gX @ gp[0].t() + gp[1], gy).backward()
        torch.nn.functional.cross_entropy(tX @ tp[0].t() + tp[1], ty).backward()
        go.step()
        to.step()
        if gs:
            gs.step()
            ts.step()
            assert gs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-15)
    for a, c in zip(gp, tp):
        assert_close(a, c)


@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.1, momentum=0.9),
                                dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
                                dict(lr=0.1, momentum=0.5, dampening=0.1, maximize=False)])
def test_sgd(kw):
    trajectories(lambda p: gf.optim.SGD(p, **kw), lambda p: torch.optim.SGD(p, **kw))


@pytest.mark.parametrize("name,kw", [("Adam", dict(lr=0.01)), ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
                                     ("AdamW", dict(lr=0.01)), ("AdamW", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6))])
def test_adam_family(name, kw):
    trajectories(lambda p: getattr(gf.optim, name)(p, **kw), lambda p: getattr(torch.optim, name)(p, **kw))


def test_schedulers():
    trajectories(lambda p: gf.optim.SGD(p, lr=0.5), lambda p: torch.optim.SGD(p, lr=0.5),
                 scheduler=(lambda o: gf.optim.lr_scheduler.StepLR(o, 5, gamma=0.5),
                            lambda o: torch.optim.lr_scheduler.StepLR(o, 5, gamma=0.5)))
    trajectories(lambda p: gf.optim.Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05),
                 scheduler=(lambda o: gf.optim.lr_scheduler.CosineAnnealingLR(o, 10, eta_min=0.001),
                            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, eta_min=0.001)))


def test_param_groups_and_errors():
    a, b = gf.ones(2, requires_grad=True), gf.ones(2, requires_grad=True)
    opt = gf.optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    assert a.tolist() == [0.9, 0.9] and b.tolist() == [0.0, 0.0]
    assert opt.param_groups[1]["lr"] == 1.0
    opt.param_groups[0]["lr"] = 0.5
    assert opt.param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        gf.optim.SGD([a], lr=-1)


def test_module_training_loop_lowers_loss():
    gf.manual_seed(0)
    X, y = gf.data.make_classification(n_samples=100, n_features=5, n_classes=3, n_informative=4,
                                       n_redundant=0, random_state=0)
    model = gf.nn.Sequential(gf.nn.Linear(5, 16), gf.nn.ReLU(), gf.nn.Linear(16, 3))
    opt = gf.optim.Adam(model.parameters(), lr=0.05)
    first = None
    for _ in range(50):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.5 * first
