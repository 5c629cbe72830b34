#!/usr/bin/python3
"""Golden values for tests/test_functional_multi.cpp from PyTorch (Debian's python3-torch 1.13).

torch.autograd.functional over several inputs: jacobian, hessian, vjp, jvp, hvp, vhp of two
fixed functions of (x, y), each without and with create_graph=True. With create_graph the
result is reduced to a scalar (sum of each block times a fixed weight 1, 2, 3, ... per block) and
differentiated w.r.t. the inputs; the test compares those gradients too (they exist only if the
result kept its graph). Writes tests/reference/functional_multi.json.
Run: /usr/bin/python3 tests/reference/functional_multi.py
"""
import json
import os

import torch
from torch.autograd import functional as AF

f64 = torch.float64
X = torch.tensor([0.5, -1.25, 2.0], dtype=f64)
Y = torch.tensor([[0.3, -0.7], [1.1, 0.4]], dtype=f64)
U = torch.tensor([0.2, -1.0, 0.5], dtype=f64)                      # f's output / x's shape
V = (torch.tensor([1.5, -0.5, 0.25], dtype=f64),                   # x's shape
     torch.tensor([[-1.0, 2.0], [0.5, 0.75]], dtype=f64))          # y's shape


# vector output: f(x, y) = exp(x) * sum(y * y) + x^3 * y[0, 1]          shape [3]
def f_vec(x, y):
    return torch.exp(x) * torch.sum(y * y) + torch.pow(x, 3) * y[0, 1]


# scalar output: g(x, y) = sum(x^2) * sum(sin(y)) + sum(x^3) + sum(exp(y) * y)
def f_scalar(x, y):
    return (torch.sum(torch.pow(x, 2)) * torch.sum(torch.sin(y)) + torch.sum(torch.pow(x, 3))
            + torch.sum(torch.exp(y) * y))


def enc(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def flat(r):
    """A tensor, a tuple of tensors or a tuple of tuples -> a list of blocks, row-major."""
    if isinstance(r, torch.Tensor):
        return [r]
    out = []
    for e in r:
        out.extend(flat(e))
    return out


def weighted(blocks):
    return sum((i + 1) * torch.sum(b) for i, b in enumerate(blocks))


CASES = {
    "jacobian": lambda x, y, cg: AF.jacobian(f_vec, (x, y), create_graph=cg),
    "hessian": lambda x, y, cg: AF.hessian(f_scalar, (x, y), create_graph=cg),
    "vjp": lambda x, y, cg: AF.vjp(f_vec, (x, y), U, create_graph=cg),
    "jvp": lambda x, y, cg: AF.jvp(f_vec, (x, y), V, create_graph=cg),
    "hvp": lambda x, y, cg: AF.hvp(f_scalar, (x, y), V, create_graph=cg),
    "vhp": lambda x, y, cg: AF.vhp(f_scalar, (x, y), V, create_graph=cg),
}

cases = []
for name, fn in CASES.items():
    r = fn(X, Y, False)
    c = {"name": name, "blocks": [enc(b) for b in flat(r)]}
    x = X.clone().requires_grad_()
    y = Y.clone().requires_grad_()
    r2 = flat(fn(x, y, True))
    gx, gy = torch.autograd.grad(weighted(r2), (x, y), allow_unused=True)
    c["create_graph_grads"] = [enc(g if g is not None else torch.zeros_like(t))
                               for g, t in ((gx, x), (gy, y))]
    cases.append(c)

out = {"generator": "tests/reference/functional_multi.py", "torch": torch.__version__,
       "x": enc(X), "y": enc(Y), "u": enc(U), "v": [enc(t) for t in V], "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functional_multi.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", len(cases), "cases to", path)
