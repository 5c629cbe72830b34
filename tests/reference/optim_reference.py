#!/usr/bin/python3
"""Reference trajectories for gradflow's optimizers and schedulers (tests/test_optim.cpp).

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tests/reference/optim_reference.py
Writes tests/reference/optim_reference.json: the fixed data, the initial parameters, and for each
optimizer configuration the parameters and learning rates after every step.

Problem (float64): params W [4, 5], b [4]; fixed X [8, 5], Y [8, 4];
    loss = mean((X Wᵀ + b − Y)²) + 0.01 · sum(W⁴)
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
STEPS = 12


def values(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def fixed(shape, seed):
    # deterministic, generator-independent data: a smooth function of the index
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.float64)
    return (torch.sin(1.7 * i + seed) * 0.9 + 0.3 * torch.cos(0.37 * i * seed)).reshape(shape)


X = fixed((8, 5), 1.0)
Y = fixed((8, 4), 2.0)
W0 = fixed((4, 5), 3.0) * 0.5
B0 = fixed((4,), 4.0) * 0.5


def loss_fn(W, b):
    return ((X @ W.t() + b - Y) ** 2).mean() + 0.01 * (W ** 4).sum()


CONFIGS = [
    {"name": "sgd_plain", "optimizer": "sgd", "lr": 0.1},
    {"name": "sgd_momentum", "optimizer": "sgd", "lr": 0.05, "momentum": 0.9},
    {"name": "sgd_dampening", "optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"name": "sgd_nesterov", "optimizer": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"name": "sgd_weight_decay_steplr", "optimizer": "sgd", "lr": 0.1, "momentum": 0.9,
     "weight_decay": 0.05, "scheduler": "step", "step_size": 3, "gamma": 0.5},
    {"name": "sgd_two_groups", "optimizer": "sgd", "lr": 0.1, "momentum": 0.5,
     "bias_lr": 0.02},
    {"name": "adam", "optimizer": "adam", "lr": 0.05},
    {"name": "adam_amsgrad_weight_decay", "optimizer": "adam", "lr": 0.05, "betas": [0.8, 0.99],
     "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True},
    {"name": "adam_cosine", "optimizer": "adam", "lr": 0.05, "scheduler": "cosine", "T_max": 5,
     "eta_min": 0.001},
    {"name": "adamw", "optimizer": "adamw", "lr": 0.05},
    {"name": "adamw_amsgrad_cosine", "optimizer": "adamw", "lr": 0.05, "weight_decay": 0.2,
     "amsgrad": True, "scheduler": "cosine", "T_max": 4, "eta_min": 0.0},
    {"name": "sgd_maximize_steplr", "optimizer": "sgd", "lr": 0.01, "momentum": 0.9,
     "maximize": True, "scheduler": "step", "step_size": 5, "gamma": 0.1},
]


def run(cfg):
    W = W0.clone().requires_grad_()
    b = B0.clone().requires_grad_()
    name = cfg["optimizer"]
    if name == "sgd":
        kw = dict(lr=cfg["lr"], momentum=cfg.get("momentum", 0), dampening=cfg.get("dampening", 0),
                  weight_decay=cfg.get("weight_decay", 0), nesterov=cfg.get("nesterov", False),
                  maximize=cfg.get("maximize", False))
        if "bias_lr" in cfg:
            opt = torch.optim.SGD([{"params": [W]}, {"params": [b], "lr": cfg["bias_lr"]}], **kw)
        else:
            opt = torch.optim.SGD([W, b], **kw)
    else:
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        kw = dict(lr=cfg["lr"], betas=tuple(cfg.get("betas", (0.9, 0.999))), eps=cfg.get("eps", 1e-8),
                  amsgrad=cfg.get("amsgrad", False))
        if "weight_decay" in cfg:
            kw["weight_decay"] = cfg["weight_decay"]
        opt = cls([W, b], **kw)
    sched = None
    if cfg.get("scheduler") == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg["step_size"], gamma=cfg["gamma"])
    elif cfg.get("scheduler") == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg["T_max"],
                                                           eta_min=cfg["eta_min"])
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(W, b)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        steps.append({"loss": float(loss), "W": values(W), "b": values(b),
                      "lr": [g["lr"] for g in opt.param_groups]})
    return {"config": cfg, "steps": steps}


out = {
    "torch_version": torch.__version__,
    "steps": STEPS,
    "X": values(X), "Y": values(Y), "W0": values(W0), "b0": values(B0),
    "runs": [run(c) for c in CONFIGS],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
