#!/usr/bin/python3
"""Golden values for tests/test_ops_breadth.cpp from PyTorch (Debian's python3-torch 1.13): the
elementwise ops, logical/bitwise ops and activations of the second round, in float32 and float64
(and integer / bool dtypes where they apply).

Writes tests/reference/ops_breadth.json in the format of tests/support/op_check.hpp: per case the
op, its inputs, the output (with its dtype), a random grad_output, the gradient of
(output * grad_output).sum() for each input that requires grad, and torch's grad_fn name.
Run: /usr/bin/python3 tests/reference/ops_breadth.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64",
      torch.int32: "int32", torch.uint8: "uint8", torch.bool: "bool"}


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


def uni(shape, lo=-2.0, hi=2.0):
    return lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)


def away(shape, kinks, gap=0.1, lo=-2.0, hi=2.0):
    """Uniform, at least `gap` from every kink (finite differences must not straddle one)."""
    x = uni(shape, lo, hi)
    for _ in range(20):
        bad = torch.zeros(shape, dtype=torch.bool)
        for k in kinks:
            bad |= (x - k).abs() < gap
        if not bad.any():
            break
        x[bad] = uni(shape, lo, hi)[bad]
    return x


# op name -> (torch function, input makers [one per input], differentiable)
S = (2, 3)
UNARY = {
    "sin": (torch.sin, uni(S, -3, 3)),
    "cos": (torch.cos, uni(S, -3, 3)),
    "tan": (torch.tan, uni(S, -1.2, 1.2)),
    "asin": (torch.asin, uni(S, -0.9, 0.9)),
    "acos": (torch.acos, uni(S, -0.9, 0.9)),
    "atan": (torch.atan, uni(S, -3, 3)),
    "sinh": (torch.sinh, uni(S, -2, 2)),
    "cosh": (torch.cosh, uni(S, -2, 2)),
    "asinh": (torch.asinh, uni(S, -3, 3)),
    "acosh": (torch.acosh, uni(S, 1.2, 4)),
    "atanh": (torch.atanh, uni(S, -0.9, 0.9)),
    "exp2": (torch.exp2, uni(S, -3, 3)),
    "expm1": (torch.expm1, uni(S, -2, 2)),
    "log2": (torch.log2, uni(S, 0.2, 4)),
    "log10": (torch.log10, uni(S, 0.2, 4)),
    "log1p": (torch.log1p, uni(S, -0.8, 3)),
    "rsqrt": (torch.rsqrt, uni(S, 0.3, 4)),
    "reciprocal": (torch.reciprocal, away(S, [0.0], 0.3)),
    "square": (torch.square, uni(S)),
    "sign": (torch.sign, away(S, [0.0])),
    "floor": (torch.floor, away(S, [-2, -1, 0, 1, 2], 0.05, -3, 3)),
    "ceil": (torch.ceil, away(S, [-2, -1, 0, 1, 2], 0.05, -3, 3)),
    "round": (torch.round, torch.tensor([[-2.5, -1.5, -0.5], [0.5, 1.5, 2.7]], dtype=torch.float64)),
    "trunc": (torch.trunc, away(S, [-2, -1, 0, 1, 2], 0.05, -3, 3)),
    "frac": (torch.frac, away(S, [-2, -1, 0, 1, 2], 0.05, -3, 3)),
    "erf": (torch.erf, uni(S, -2.5, 2.5)),
    "erfc": (torch.erfc, uni(S, -2.5, 2.5)),
    "fmod_scalar": (lambda x: torch.fmod(x, 1.5), away(S, [-3, -1.5, 0, 1.5, 3], 0.05, -4, 4)),
    "remainder_scalar": (lambda x: torch.remainder(x, -1.5),
                         away(S, [-3, -1.5, 0, 1.5, 3], 0.05, -4, 4)),
    "clamp_min": (lambda x: torch.clamp_min(x, -0.5), away(S, [-0.5])),
    "clamp_max": (lambda x: torch.clamp_max(x, 0.5), away(S, [0.5])),
    # activations (torch.nn.functional)
    "leaky_relu": (lambda x: F.leaky_relu(x), away(S, [0.0])),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), away(S, [0.0])),
    "elu": (lambda x: F.elu(x), away(S, [0.0])),
    "elu_0.5": (lambda x: F.elu(x, 0.5), away(S, [0.0])),
    "selu": (F.selu, away(S, [0.0])),
    "celu": (lambda x: F.celu(x), away(S, [0.0])),
    "celu_2": (lambda x: F.celu(x, 2.0), away(S, [0.0])),
    "gelu": (F.gelu, uni(S, -3, 3)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), uni(S, -3, 3)),
    "silu": (F.silu, uni(S, -4, 4)),
    "mish": (F.mish, uni(S, -4, 4)),
    "softplus": (F.softplus, uni(S, -4, 4)),
    "softplus_2_1": (lambda x: F.softplus(x, beta=2.0, threshold=1.0), away(S, [0.5], 0.05)),
    "softsign": (F.softsign, uni(S, -4, 4)),
    "hardtanh": (F.hardtanh, away(S, [-1.0, 1.0])),
    "hardtanh_-0.5_2": (lambda x: F.hardtanh(x, -0.5, 2.0), away(S, [-0.5, 2.0], lo=-3, hi=3)),
    "hardsigmoid": (F.hardsigmoid, away(S, [-3.0, 3.0], lo=-4, hi=4)),
    "hardswish": (F.hardswish, away(S, [-3.0, 3.0], lo=-4, hi=4)),
    "relu6": (F.relu6, away(S, [0.0, 6.0], lo=-2, hi=8)),
    "logsigmoid": (F.logsigmoid, uni(S, -5, 5)),
    "glu": (lambda x: F.glu(x, -1), uni((2, 4))),
    "glu_dim0": (lambda x: F.glu(x, 0), uni((4, 3))),
}
BINARY = {
    "atan2": (torch.atan2, [uni(S), away((3,), [0.0], 0.2)]),
    "pow_tensor": (torch.pow, [uni(S, 0.3, 2), uni((3,), -1.5, 1.5)]),
    "fmod": (torch.fmod, [uni(S, -4, 4), away((3,), [0.0], 0.5)]),
    "remainder": (torch.remainder, [uni(S, -4, 4), away((3,), [0.0], 0.5)]),
    "maximum": (torch.maximum, [uni(S), uni((3,))]),
    "minimum": (torch.minimum, [uni(S), uni((3,))]),
    "prelu": (F.prelu, [uni((2, 3, 2)), uni((3,), 0.05, 0.5)]),
    "prelu_single": (F.prelu, [uni((2, 3)), torch.tensor([0.25], dtype=torch.float64)]),
}
TERNARY = {
    "clamp_tensor": (torch.clamp, [away(S, [-0.5, 0.5]), torch.full((3,), -0.5, dtype=torch.float64),
                                   torch.tensor([0.5, 0.5, -1.0], dtype=torch.float64)]),
}

cases = []


def add_case(op, fn, inputs, grads):
    xs = [x.clone().requires_grad_(g) for x, g in zip(inputs, grads)]
    out = fn(*xs)
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


for dtype in (torch.float64, torch.float32):
    for op, (fn, x) in UNARY.items():
        add_case(op, fn, [x.to(dtype)], [True])
    for op, (fn, xs) in BINARY.items():
        add_case(op, fn, [x.to(dtype) for x in xs], [True] * len(xs))
    for op, (fn, xs) in TERNARY.items():
        add_case(op, fn, [x.to(dtype) for x in xs], [True] * len(xs))

# Values only: integer and bool inputs, and special values.
ints = torch.tensor([-7, -3, -1, 0, 2, 5])
i32 = ints.to(torch.int32)
u8 = torch.tensor([0, 3, 7, 200, 255, 16], dtype=torch.uint8)
b = torch.tensor([True, False, True, False, True, True])
b2 = torch.tensor([True, True, False, False, True, False])
special = torch.tensor([float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1.5], dtype=torch.float64)
for op in ("sin", "exp2", "log2", "rsqrt", "erf", "floor", "round", "sign", "square"):
    add_case(op, UNARY[op][0], [ints], [False])
for op in ("sin", "floor", "square", "sign"):
    add_case(op, UNARY[op][0], [u8], [False])
for op in ("sin", "atan", "sign", "floor", "erf", "expm1", "reciprocal", "rsqrt", "log2", "frac"):
    add_case(op, UNARY[op][0], [special], [False])
VALUES = {
    "fmod": torch.fmod, "remainder": torch.remainder, "maximum": torch.maximum,
    "minimum": torch.minimum, "atan2": torch.atan2,
    "logical_and": torch.logical_and, "logical_or": torch.logical_or,
    "logical_xor": torch.logical_xor, "bitwise_and": torch.bitwise_and,
    "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor, "pow_tensor": torch.pow,
}
nz = torch.tensor([3, -2, 5, 7, -4, 2])
add_case("fmod", torch.fmod, [ints, nz], [False, False])
add_case("remainder", torch.remainder, [ints, nz], [False, False])
add_case("fmod", torch.fmod, [i32, torch.tensor(3)], [False, False])
add_case("remainder", torch.remainder, [u8, torch.tensor(7, dtype=torch.uint8)], [False, False])
add_case("maximum", torch.maximum, [ints, i32.flip(0)], [False, False])
add_case("minimum", torch.minimum, [special, special.flip(0)], [False, False])
add_case("maximum", torch.maximum, [special, special.flip(0)], [False, False])
add_case("atan2", torch.atan2, [ints, nz], [False, False])
add_case("pow_tensor", torch.pow, [ints, torch.tensor([2, 3, 0, 5, 1, 2])], [False, False])
add_case("pow_tensor", torch.pow, [u8, torch.tensor(2)], [False, False])
for op in ("logical_and", "logical_or", "logical_xor"):
    add_case(op, VALUES[op], [b, b2], [False, False])
    add_case(op, VALUES[op], [special, ints], [False, False])
for op in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    add_case(op, VALUES[op], [b, b2], [False, False])
    add_case(op, VALUES[op], [ints, nz], [False, False])
    add_case(op, VALUES[op], [u8, i32], [False, False])
    add_case(op, VALUES[op], [u8, torch.tensor(12, dtype=torch.uint8)], [False, False])
add_case("logical_not", torch.logical_not, [special], [False])
add_case("logical_not", torch.logical_not, [ints], [False])
add_case("bitwise_not", torch.bitwise_not, [b], [False])
add_case("bitwise_not", torch.bitwise_not, [ints], [False])
add_case("bitwise_not", torch.bitwise_not, [u8], [False])
add_case("bitwise_not", torch.bitwise_not, [i32], [False])
for op, fn in (("isnan", torch.isnan), ("isinf", torch.isinf), ("isfinite", torch.isfinite)):
    add_case(op, fn, [special], [False])
    add_case(op, fn, [special.float()], [False])
    add_case(op, fn, [ints], [False])
for op in ("leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus", "hardswish",
           "logsigmoid", "hardsigmoid", "relu6", "softsign"):
    add_case(op, UNARY[op][0], [special], [False])
add_case("softplus", F.softplus, [torch.tensor([-30.0, 19.9, 20.0, 20.1, 50.0], dtype=torch.float32)],
         [False])

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_breadth.json")
with open(path, "w") as f:
    json.dump({"generator": "tests/reference/ops_breadth.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {path}")
