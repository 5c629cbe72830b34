#!/usr/bin/python3
"""Golden values for the softmax family, indexing/joining ops and nn.functional losses from
PyTorch (Debian's python3-torch 1.13), read by tests/test_nn_functional.cpp,
tests/test_ops_softmax.cpp and tests/test_ops_indexing.cpp.

Writes tests/reference/nn_functional.json in the format of tests/support/op_check.hpp: for every
case the op name (plus "dim" / "reduction" arguments), its inputs, the output, a random
grad_output and the gradient of (output * grad_output).sum() w.r.t. each input that requires grad.
All floating values are float64. Run: /usr/bin/python3 tests/reference/nn_functional.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64"}
RED = ["none", "mean", "sum"]


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": t.detach().reshape(-1).tolist()}


def uni(*shape, lo=-3.0, hi=3.0):
    return lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)


def probs(*shape):
    return torch.softmax(uni(*shape), dim=1 if len(shape) > 1 else 0)


cases = []


def add(op, fn, inputs, **args):
    """inputs: list of tensors; floating ones require grad."""
    ins = [t.clone().requires_grad_(t.is_floating_point()) for t in inputs]
    out = fn(*ins)
    go = uni(*out.shape, lo=-1.0, hi=1.0)
    diff = [t for t in ins if t.requires_grad]
    grads = torch.autograd.grad(out, diff, go, allow_unused=True)
    it = iter(grads)
    case = {"op": op, "name": f"{op} {args} {[list(t.shape) for t in ins]}",
            "inputs": [dict(enc(t), requires_grad=t.requires_grad) for t in ins],
            "output": enc(out), "grad_output": enc(go),
            "grads": [enc(next(it)) if t.requires_grad else None for t in ins]}
    case.update(args)
    cases.append(case)


# softmax family over each dim of 3-D inputs (and the training case, 2-D over dim 1)
for dim in [0, 1, 2, -1]:
    x = uni(3, 4, 5)
    add("softmax", lambda a: torch.softmax(a, dim), [x], dim=dim)
    add("log_softmax", lambda a: torch.log_softmax(a, dim), [x], dim=dim)
    add("logsumexp", lambda a: torch.logsumexp(a, dim), [x], dim=dim, keepdim=False)
add("logsumexp", lambda a: torch.logsumexp(a, 1, keepdim=True), [uni(4, 6)], dim=1, keepdim=True)
add("softmax", lambda a: torch.softmax(a, 1), [uni(8, 10)], dim=1)
add("log_softmax", lambda a: torch.log_softmax(a, 1), [uni(8, 10)], dim=1)
add("softmax", lambda a: torch.softmax(a, 1), [uni(2, 3) * 400], dim=1)  # huge logits

# cross_entropy: class ids, probabilities, unbatched, [N, C, d] — every reduction
for red in RED:
    add("cross_entropy", lambda z, y: F.cross_entropy(z, y, reduction=red),
        [uni(6, 4), torch.randint(0, 4, (6,))], reduction=red)
    add("cross_entropy", lambda z, t: F.cross_entropy(z, t, reduction=red),
        [uni(5, 3), probs(5, 3)], reduction=red)
    add("cross_entropy", lambda z, y: F.cross_entropy(z, y, reduction=red),
        [uni(3, 4, 2), torch.randint(0, 4, (3, 2))], reduction=red)
    add("cross_entropy", lambda z, t: F.cross_entropy(z, t, reduction=red),
        [uni(2, 3, 4), torch.softmax(uni(2, 3, 4), 1)], reduction=red)
    add("nll_loss", lambda z, y: F.nll_loss(z, y, reduction=red),
        [torch.log_softmax(uni(6, 5), 1), torch.randint(0, 5, (6,))], reduction=red)
    add("mse_loss", lambda a, b: F.mse_loss(a, b, reduction=red), [uni(4, 3), uni(4, 3)],
        reduction=red)
    add("binary_cross_entropy_with_logits",
        lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction=red),
        [uni(4, 3), torch.rand(4, 3, dtype=torch.float64)], reduction=red)
add("cross_entropy", lambda z, y: F.cross_entropy(z, y), [uni(5), torch.tensor(2)],
    reduction="mean")
add("cross_entropy", lambda z, y: F.cross_entropy(z, y, reduction="sum"),
    [uni(4, 3) * 300, torch.tensor([0, 1, 2, 1])], reduction="sum")
add("binary_cross_entropy_with_logits",
    lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum"),
    [torch.tensor([-800.0, -30.0, 0.0, 30.0, 800.0], dtype=torch.float64),
     torch.tensor([0.0, 1.0, 0.5, 0.0, 1.0], dtype=torch.float64)], reduction="sum")

# linear: 1-D, 2-D with and without bias, 3-D
add("linear", lambda x, w, b: F.linear(x, w, b), [uni(5, 4), uni(3, 4), uni(3)])
add("linear_nobias", lambda x, w: F.linear(x, w), [uni(5, 4), uni(3, 4)])
add("linear", lambda x, w, b: F.linear(x, w, b), [uni(4), uni(3, 4), uni(3)])
add("linear", lambda x, w, b: F.linear(x, w, b), [uni(2, 5, 4), uni(3, 4), uni(3)])

# indexing and joining
for dim in [0, 1, 2]:
    x = uni(3, 4, 5)
    shape = [2, 3, 4]
    shape[dim] = 6
    idx = torch.randint(0, x.shape[dim], shape)
    add("gather", lambda a, i: torch.gather(a, dim, i), [x, idx], dim=dim)
    add("index_select", lambda a, i: torch.index_select(a, dim, i),
        [x, torch.tensor([2, 0, 2, 1])], dim=dim)
    add("cat", lambda a, b, c: torch.cat([a, b, c], dim),
        [uni(*[2 if d == dim else 3 for d in range(3)]),
         uni(*[1 if d == dim else 3 for d in range(3)]),
         uni(*[4 if d == dim else 3 for d in range(3)])], dim=dim)
for dim in [0, 1, 2, -1]:
    add("stack", lambda a, b: torch.stack([a, b], dim), [uni(2, 3), uni(2, 3)], dim=dim)

out = {"generator": "tests/reference/nn_functional.py", "torch": torch.__version__,
       "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn_functional.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {path}")
