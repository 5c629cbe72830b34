#!/usr/bin/python3
"""Golden values for tests/test_ops_elementwise.cpp from PyTorch (Debian's python3-torch 1.13).

Writes tests/reference/ops_elementwise.json in the format documented in tests/support/op_check.hpp:
for every case the op name, its inputs, the output, a random grad_output and the gradient of
(output * grad_output).sum() with respect to each input that requires grad.
Run: /usr/bin/python3 tests/reference/ops_elementwise.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}


def num(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": [num(v) for v in t.detach().reshape(-1).tolist()]}


def uni(shape, lo=-2.0, hi=2.0, dtype=torch.float64):
    return (lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)).to(dtype)


def away(shape, kink=0.0, gap=0.1):
    x = uni(shape)
    x[(x - kink).abs() < gap] += 2 * gap
    return x


# op name -> function; the C++ test has the same table
OPS = {
    "exp": lambda x: torch.exp(x[0]),
    "log": lambda x: torch.log(x[0]),
    "log1p": lambda x: torch.log1p(x[0]),
    "sqrt": lambda x: torch.sqrt(x[0]),
    "abs": lambda x: torch.abs(x[0]),
    "sign": lambda x: torch.sign(x[0]),
    "square": lambda x: torch.square(x[0]),
    "pow_2.5": lambda x: torch.pow(x[0], 2.5),
    "pow_3": lambda x: torch.pow(x[0], 3),  # an int exponent: integer tensors stay integers
    "pow_-1.5": lambda x: torch.pow(x[0], -1.5),
    "pow_0": lambda x: torch.pow(x[0], 0.0),
    "pow_tensor": lambda x: torch.pow(x[0], x[1]),
    "relu": lambda x: torch.relu(x[0]),
    "sigmoid": lambda x: torch.sigmoid(x[0]),
    "tanh": lambda x: torch.tanh(x[0]),
    "clamp": lambda x: torch.clamp(x[0], -0.5, 0.75),
    "where": lambda x: torch.where(x[0] != 0, x[1], x[2]),
    "maximum": lambda x: torch.maximum(x[0], x[1]),
    "minimum": lambda x: torch.minimum(x[0], x[1]),
    "max_all": lambda x: torch.max(x[0]),
    "min_all": lambda x: torch.min(x[0]),
    "max_dim0": lambda x: torch.max(x[0], 0)[0],
    "max_dim1_keepdim": lambda x: torch.max(x[0], 1, keepdim=True)[0],
    "max_dim-1": lambda x: torch.max(x[0], -1)[0],
    "min_dim1": lambda x: torch.min(x[0], 1)[0],
    "argmax_dim1": lambda x: torch.argmax(x[0], 1),
    "argmax_dim0_keepdim": lambda x: torch.argmax(x[0], 0, keepdim=True),
    "argmax_all": lambda x: torch.argmax(x[0]),
    "argmin_dim1": lambda x: torch.argmin(x[0], 1),
    "eq": lambda x: torch.eq(x[0], x[1]),
    "ne": lambda x: torch.ne(x[0], x[1]),
    "lt": lambda x: torch.lt(x[0], x[1]),
    "le": lambda x: torch.le(x[0], x[1]),
    "gt": lambda x: torch.gt(x[0], x[1]),
    "ge": lambda x: torch.ge(x[0], x[1]),
}

ties = torch.tensor([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 0.25], [-3.0, 2.0, 2.0, 2.0]],
                    dtype=torch.float64)
ints = torch.tensor([[1, 4, 4], [-2, 0, 7]])
cmp_a = torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], dtype=torch.float64)
cmp_b = torch.tensor([2.0, 2.0, 2.0], dtype=torch.float64)

# (op, inputs, which inputs require grad)
CASES = [
    ("exp", [uni((2, 3))], [True]),
    ("exp", [uni((5,), dtype=torch.float32)], [True]),
    ("exp", [torch.tensor([0, 1, 2])], [False]),
    ("log", [uni((2, 3), 0.1, 3.0)], [True]),
    ("log1p", [uni((4,), -0.5, 2.0)], [True]),
    ("sqrt", [uni((3, 2), 0.1, 4.0)], [True]),
    ("sqrt", [torch.tensor([4, 9, 2])], [False]),
    ("abs", [away((2, 3))], [True]),
    ("sign", [torch.tensor([-2.0, 0.0, 3.0], dtype=torch.float64)], [True]),
    ("square", [uni((2, 3))], [True]),
    ("pow_2.5", [uni((4,), 0.1, 3.0)], [True]),
    ("pow_3", [uni((2, 2))], [True]),
    ("pow_-1.5", [uni((4,), 0.5, 3.0)], [True]),
    ("pow_0", [uni((3,))], [True]),
    ("pow_3", [ints], [False]),
    ("pow_tensor", [uni((2, 3), 0.2, 2.0), uni((3,), -1.5, 1.5)], [True, True]),
    ("pow_tensor", [uni((2, 1), 0.2, 2.0), uni((1, 3), -1.5, 1.5)], [True, True]),
    ("relu", [torch.tensor([-1.0, 0.0, 0.5, 2.0, -0.0], dtype=torch.float64)], [True]),
    ("relu", [away((3, 4))], [True]),
    ("sigmoid", [uni((2, 3), -6, 6)], [True]),
    ("sigmoid", [uni((6,), -6, 6, torch.float32)], [True]),
    ("sigmoid", [torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=torch.float64)], [True]),
    ("tanh", [uni((2, 3), -3, 3)], [True]),
    ("tanh", [torch.tensor([-1, 0, 2])], [False]),
    ("clamp", [torch.tensor([-1.0, -0.5, 0.0, 0.75, 1.0], dtype=torch.float64)], [True]),
    ("clamp", [uni((3, 3))], [True]),
    ("where", [torch.tensor([[1], [0]]), uni((3,)), uni((2, 1))], [False, True, True]),
    ("where", [uni((2, 3)).gt(0).double(), uni((2, 3)), uni((1,))], [False, True, True]),
    ("maximum", [uni((2, 3)), uni((3,))], [True, True]),
    ("maximum", [torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                 torch.tensor([1.0, 1.0, 4.0], dtype=torch.float64)], [True, True]),
    ("minimum", [uni((2, 1)), uni((1, 3))], [True, True]),
    ("minimum", [torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                 torch.tensor([1.0, 1.0, 4.0], dtype=torch.float64)], [True, True]),
    ("max_all", [uni((3, 4))], [True]),
    ("max_all", [ties], [True]),
    ("min_all", [ties], [True]),
    ("max_all", [ints], [False]),
    ("max_dim0", [uni((3, 4))], [True]),
    ("max_dim0", [ties], [True]),
    ("max_dim1_keepdim", [ties], [True]),
    ("max_dim-1", [uni((2, 3, 4))], [True]),
    ("max_dim0", [uni((2, 3, 4))], [True]),
    ("min_dim1", [ties], [True]),
    ("argmax_dim1", [ties], [False]),
    ("argmax_dim0_keepdim", [ties], [False]),
    ("argmax_all", [ties], [False]),
    ("argmin_dim1", [ties], [False]),
    ("argmax_dim1", [ints], [False]),
] + [(op, [cmp_a, cmp_b], [False, False]) for op in ("eq", "ne", "lt", "le", "gt", "ge")] + [
    ("lt", [ints, torch.tensor([2.5], dtype=torch.float64)], [False, False]),
    ("eq", [ints, torch.tensor([4])], [False, False]),
]

cases = []
for op, inputs, grads in CASES:
    xs = [x.clone().requires_grad_(g) for x, g in zip(inputs, grads)]
    out = OPS[op](xs)
    case = {"op": op, "name": f"{op} {[list(x.shape) for x in xs]} {DT[xs[0].dtype]}",
            "inputs": [dict(enc(x), requires_grad=g) for x, g in zip(xs, grads)],
            "output": enc(out)}
    if out.requires_grad:
        go = torch.randn(out.shape, dtype=torch.float64).to(out.dtype)
        gs = torch.autograd.grad(out, [x for x in xs if x.requires_grad], go)
        it = iter(gs)
        case["grad_output"] = enc(go)
        case["grads"] = [enc(next(it)) if x.requires_grad else None for x in xs]
        case["grad_fn"] = type(out.grad_fn).__name__
    cases.append(case)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_elementwise.json")
with open(path, "w") as f:
    json.dump({"generator": "tests/reference/ops_elementwise.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {path}")
