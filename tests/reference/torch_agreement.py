#!/usr/bin/python3
"""Agreement with PyTorch: random expressions over random (broadcasting) shapes, from a fixed seed.

Run with Debian's torch:  /usr/bin/python3 tests/reference/torch_agreement.py
Writes tests/reference/torch_agreement.json, read by tests/test_torch_agreement.cpp, which
recomputes every case from the same inputs with gradflow and asserts agreement.

An expression is a small JSON tree that both sides interpret:
  "x0"                      an input by name (inputs carry shape, dtype, values, requires_grad)
  ["add", a, b]             binary ops broadcast: add sub mul div
  ["adds", a, c]            tensor-scalar: adds (a + c), muls (a * c), rsubs (c - a), rdivs (c / a)
  ["exp", a]                unary: neg exp log sqrt abs relu sigmoid tanh
  ["pow", a, p] ["powt", a, b] ["clamp", a, lo, hi] ["where_gt", c, d, a, b] (where(c > d, a, b))
  ["sum", a] ["sum_dim", a, dim, keepdim] ["mean", a] ["mean_dim", ...] ["max", a]
  ["max_dim", a, dim, keepdim] ["logsumexp", a, dim, keepdim] ["softmax", a, dim]
  ["log_softmax", a, dim] ["transpose", a, d0, d1] ["permute", a, dims] ["reshape", a, shape]
  ["flatten", a] ["unsqueeze", a, d] ["squeeze", a, d] ["expand", a, shape]
  ["slice", a, dim, start, end, step] ["select", a, dim, i] ["matmul", a, b] ["outer", a, b]
  ["dot", a, b] ["cat", [a, ...], dim] ["stack", [a, ...], dim] ["gather", a, dim, idx]
  ["index_select", a, dim, idx] ["linear", x, W] ["linear", x, W, b]
  ["cross_entropy", z, t, red] ["nll_loss", a, t, red] ["mse_loss", a, b, red]
  ["bce_logits", a, b, red]         red: "none" | "mean" | "sum"
Case kinds:
  grad:     value of the expression and the gradient of every input that requires grad, for a
            random grad_output ("gout")
  jacobian: J of the expression w.r.t. input "x0" (other inputs constant), plus vjp (u) and jvp (v)
  hessian:  H of sum(expression) w.r.t. "x0", plus hvp (v)
"""
import json
import os
import random

import torch
import torch.nn.functional as F

SEED = 20240601
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_agreement.json")
RED = ["none", "mean", "sum"]


def evaluate(e, env):
    if isinstance(e, str):
        return env[e]
    op, a = e[0], e[1:]
    ev = lambda i: evaluate(a[i], env)
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    if op in binary:
        return binary[op](ev(0), ev(1))
    if op == "adds": return ev(0) + a[1]
    if op == "muls": return ev(0) * a[1]
    if op == "rsubs": return a[1] - ev(0)
    if op == "rdivs": return a[1] / ev(0)
    unary = {"neg": torch.neg, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
             "abs": torch.abs, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    if op in unary:
        return unary[op](ev(0))
    if op == "pow": return torch.pow(ev(0), a[1])
    if op == "powt": return torch.pow(ev(0), ev(1))
    if op == "clamp": return torch.clamp(ev(0), a[1], a[2])
    if op == "where_gt": return torch.where(ev(0) > ev(1), ev(2), ev(3))
    if op == "sum": return ev(0).sum()
    if op == "sum_dim": return ev(0).sum(a[1], keepdim=a[2])
    if op == "mean": return ev(0).mean()
    if op == "mean_dim": return ev(0).mean(a[1], keepdim=a[2])
    if op == "max": return ev(0).max()
    if op == "max_dim": return ev(0).max(a[1], keepdim=a[2]).values
    if op == "logsumexp": return torch.logsumexp(ev(0), a[1], keepdim=a[2])
    if op == "softmax": return torch.softmax(ev(0), a[1])
    if op == "log_softmax": return torch.log_softmax(ev(0), a[1])
    if op == "transpose": return ev(0).transpose(a[1], a[2])
    if op == "permute": return ev(0).permute(*a[1])
    if op == "reshape": return ev(0).reshape(a[1])
    if op == "flatten": return ev(0).flatten()
    if op == "unsqueeze": return ev(0).unsqueeze(a[1])
    if op == "squeeze": return ev(0).squeeze(a[1])
    if op == "expand": return ev(0).expand(*a[1])
    if op == "slice":
        x, d, s, en, st = ev(0), a[1], a[2], a[3], a[4]
        idx = [slice(None)] * x.dim()
        idx[d] = slice(s, en, st)
        return x[tuple(idx)]
    if op == "select": return ev(0).select(a[1], a[2])
    if op == "matmul": return torch.matmul(ev(0), ev(1))
    if op == "outer": return torch.outer(ev(0), ev(1))
    if op == "dot": return torch.dot(ev(0), ev(1))
    if op == "cat": return torch.cat([evaluate(x, env) for x in a[0]], a[1])
    if op == "stack": return torch.stack([evaluate(x, env) for x in a[0]], a[1])
    if op == "gather": return torch.gather(ev(0), a[1], evaluate(a[2], env))
    if op == "index_select": return torch.index_select(ev(0), a[1], evaluate(a[2], env))
    if op == "linear": return F.linear(ev(0), ev(1), ev(2) if len(a) > 2 else None)
    if op == "cross_entropy": return F.cross_entropy(ev(0), ev(1), reduction=a[2])
    if op == "nll_loss": return F.nll_loss(ev(0), ev(1), reduction=a[2])
    if op == "mse_loss": return F.mse_loss(ev(0), ev(1), reduction=a[2])
    if op == "bce_logits": return F.binary_cross_entropy_with_logits(ev(0), ev(1), reduction=a[2])
    raise ValueError(op)


class Builder:
    """Grows one random expression; every step is evaluated so shapes are always known."""

    def __init__(self, rng, dtype, max_numel=24):
        self.rng, self.dtype, self.max_numel = rng, dtype, max_numel
        self.inputs = {}  # name -> tensor
        self.grad = {}    # name -> requires grad

    def leaf(self, shape, kind="normal", requires_grad=True, high=None):
        name = ("i" if kind == "index" else "x") + str(len(self.inputs))
        if kind == "index":
            t = torch.randint(0, high, shape, dtype=torch.int64)
        elif kind == "unit":
            t = torch.rand(shape, dtype=self.dtype)
        else:
            t = torch.randn(shape, dtype=self.dtype)
        self.inputs[name], self.grad[name] = t, requires_grad and kind != "index"
        return name

    def env(self):
        return dict(self.inputs)

    def val(self, e):
        with torch.no_grad():
            return evaluate(e, self.env())

    def positive(self, e):  # smooth and > 0, for log, sqrt, fractional pow and denominators
        return ["adds", ["mul", e, e], 0.5] if self.rng.random() < 0.6 else ["exp", e]

    def random_shape(self):
        nd = self.rng.choice([0, 1, 1, 2, 2, 2, 3])
        return [self.rng.randint(1, 4) for _ in range(nd)]

    def related_shape(self, shape):  # broadcasts against shape
        s = list(shape)
        if s and self.rng.random() < 0.4:
            s = s[self.rng.randint(0, len(s)):]   # drop leading dims
        s = [1 if self.rng.random() < 0.3 else d for d in s]
        return s

    def no_ties(self, x, dim=None):
        if x.numel() == 0: return False
        if dim is None:
            return int((x == x.max()).sum()) == 1
        m = x.max(dim, keepdim=True).values
        return bool(((x == m).sum(dim) == 1).all())

    def step(self, e):
        """Wraps e in one random op (or combines it with another operand)."""
        r, x = self.rng, self.val(e)
        nd, shape = x.dim(), list(x.shape)
        c = r.random()
        if c < 0.30:  # binary with broadcasting
            other = self.leaf(self.related_shape(shape)) if r.random() < 0.7 else self.leaf(
                self.random_shape())
            try:
                torch.broadcast_shapes(tuple(shape), tuple(self.inputs[other].shape))
            except RuntimeError:
                other = self.leaf(self.related_shape(shape))
            if torch.broadcast_shapes(tuple(shape), tuple(self.inputs[other].shape)).numel() > \
                    self.max_numel:
                return ["muls", e, round(r.uniform(-2, 2), 3)]
            op = r.choice(["add", "sub", "mul", "div"])
            a, b = (e, other) if r.random() < 0.5 else (other, e)
            if op == "div": b = self.positive(b)
            return [op, a, b]
        if c < 0.40:
            op = r.choice(["adds", "muls", "rsubs", "rdivs"])
            k = round(r.uniform(-2, 2), 3)
            return [op, self.positive(e) if op == "rdivs" else e, k]
        if c < 0.58:
            op = r.choice(["neg", "exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "pow",
                           "pow", "powt", "clamp", "where_gt"])
            if op in ("log", "sqrt"): return [op, self.positive(e)]
            if op == "exp": return ["exp", ["tanh", e]]  # keeps values moderate
            if op == "pow":
                p = r.choice([2.0, 3.0, -1.0, 0.5, 1.5, -0.5])
                return ["pow", e if p in (2.0, 3.0) else self.positive(e), p]
            if op == "powt":
                return ["powt", self.positive(e), ["tanh", self.leaf(self.related_shape(shape))]]
            if op == "clamp":
                lo = round(r.uniform(-1, 0), 2)
                return ["clamp", e, lo, round(lo + r.uniform(0.3, 1.5), 2)]
            if op == "where_gt":
                return ["where_gt", e, self.leaf(self.related_shape(shape), requires_grad=False),
                        e, ["muls", e, -0.5]]
            return [op, e]
        if nd == 0:
            return ["muls", e, round(r.uniform(-2, 2), 3)]
        d = r.randrange(nd)
        keep = r.random() < 0.5
        if c < 0.72:
            op = r.choice(["sum", "sum_dim", "mean", "mean_dim", "max", "max_dim", "logsumexp",
                           "softmax", "log_softmax"])
            if op in ("sum", "mean"): return [op, e]
            if op == "max": return ["max", e] if self.no_ties(x) else ["sum", e]
            if op == "max_dim":
                return ["max_dim", e, d, keep] if self.no_ties(x, d) else ["mean_dim", e, d, keep]
            if op in ("softmax", "log_softmax"): return [op, e, d]
            return [op, e, d, keep]
        if c < 0.86:
            op = r.choice(["transpose", "permute", "reshape", "flatten", "unsqueeze", "squeeze",
                           "expand", "slice", "select"])
            if op == "transpose" and nd >= 2:
                return ["transpose", e, d, (d + r.randint(1, nd - 1)) % nd]
            if op == "permute":
                p = list(range(nd)); r.shuffle(p); return ["permute", e, p]
            if op == "reshape":
                s = list(reversed(shape)); s[r.randrange(nd)] = -1; return ["reshape", e, s]
            if op == "unsqueeze": return ["unsqueeze", e, r.randint(0, nd)]
            if op == "squeeze" and 1 in shape: return ["squeeze", e, shape.index(1)]
            if op == "expand" and x.numel() * 3 <= self.max_numel:
                s = [r.randint(2, 3) if n == 1 else n for n in shape]
                return ["expand", e, ([2] if r.random() < 0.5 else []) + s]
            if op == "slice" and shape[d] >= 2:
                return ["slice", e, d, r.randint(0, 1), shape[d], r.choice([1, 2])]
            if op == "select": return ["select", e, d, r.randrange(shape[d])]
            return ["flatten", e]
        op = r.choice(["matmul", "matmul", "linear", "outer", "dot", "cat", "stack", "gather",
                       "index_select"])
        if op == "matmul" and nd <= 3:
            k = shape[-1]
            bshape = r.choice([[k], [k, r.randint(1, 3)]] + ([[shape[0], k, 2]] if nd == 3 else []))
            if nd == 1 and r.random() < 0.3: bshape = [r.randint(1, 2), k, 2]
            return ["matmul", e, self.leaf(bshape)]
        if op == "linear" and nd >= 1:
            W = self.leaf([r.randint(1, 3), shape[-1]])
            if r.random() < 0.7: return ["linear", e, W, self.leaf([self.inputs[W].shape[0]])]
            return ["linear", e, W]
        if op == "outer" and nd == 1: return ["outer", e, self.leaf([r.randint(1, 3)])]
        if op == "dot" and nd == 1: return ["dot", e, self.leaf(shape)]
        if op in ("cat", "stack"):
            parts = [e, self.leaf(shape)] + ([["muls", e, 2.0]] if r.random() < 0.3 else [])
            return [op, parts, d if op == "cat" else r.randint(0, nd)]
        if op == "gather":
            ishape = [r.randint(1, n) for n in shape]
            ishape[d] = r.randint(1, 3)
            return ["gather", e, d, self.leaf(ishape, kind="index", high=shape[d])]
        if op == "index_select":
            return ["index_select", e, d, self.leaf([r.randint(1, 3)], kind="index",
                                                   high=shape[d])]
        return ["tanh", e]

    def expression(self, depth):
        shape = self.random_shape()
        while torch.Size(shape).numel() > self.max_numel:
            shape = self.random_shape()
        e = self.leaf(shape)
        for _ in range(depth):
            cand = self.step(e)
            if self.val(cand).numel() <= self.max_numel: e = cand
        return e


def loss_case(rng, dtype):
    """A loss at the top of a small expression, in every reduction."""
    b = Builder(rng, dtype)
    kind = rng.choice(["ce_ids", "ce_ids", "ce_probs", "ce_unbatched", "ce_spatial", "nll",
                       "mse", "bce"])
    red = rng.choice(RED)
    n, c = rng.randint(1, 5), rng.randint(2, 5)
    z = b.leaf([n, c])
    if rng.random() < 0.5: z = ["mul", z, b.leaf([c])]  # something before the loss
    if kind == "ce_ids": return b, ["cross_entropy", z, b.leaf([n], "index", high=c), red]
    if kind == "ce_probs":
        t = ["softmax", b.leaf([n, c], requires_grad=rng.random() < 0.5), 1]
        return b, ["cross_entropy", z, t, red]
    if kind == "ce_unbatched":
        return b, ["cross_entropy", b.leaf([c]), b.leaf([], "index", high=c), red]
    if kind == "ce_spatial":
        d = rng.randint(1, 3)
        return b, ["cross_entropy", b.leaf([n, c, d]), b.leaf([n, d], "index", high=c), red]
    if kind == "nll":
        return b, ["nll_loss", ["log_softmax", z, 1], b.leaf([n], "index", high=c), red]
    if kind == "mse": return b, ["mse_loss", z, b.leaf([n, c]), red]
    return b, ["bce_logits", z, b.leaf([n, c], "unit", requires_grad=False), red]


def flat(t):
    return t.detach().reshape(-1).tolist()


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


def make_case(rng, kind, dtype):
    if kind == "loss":
        b, e = loss_case(rng, dtype)
    else:
        b = Builder(rng, dtype, max_numel=6 if kind in ("jacobian", "hessian") else 24)
        e = b.expression(rng.randint(2, 6))
    env = b.env()
    case = {"kind": "grad" if kind == "loss" else kind, "expr": e,
            "dtype": "float32" if dtype == torch.float32 else "float64", "inputs": {}}
    for name, t in b.inputs.items():
        case["inputs"][name] = dict(tensor_json(t), requires_grad=b.grad[name],
                                    dtype="int64" if t.dtype == torch.int64 else case["dtype"])
    if case["kind"] == "grad":
        leaves = {k: v.clone().requires_grad_(b.grad[k]) for k, v in env.items()}
        out = evaluate(e, leaves)
        gout = torch.randn(out.shape, dtype=dtype)
        wrt = [k for k in leaves if b.grad[k]]
        grads = torch.autograd.grad(out, [leaves[k] for k in wrt], gout, allow_unused=True)
        case["out"] = tensor_json(out)
        case["gout"] = tensor_json(gout)
        case["grads"] = {k: flat(g) if g is not None else [0.0] * leaves[k].numel()
                         for k, g in zip(wrt, grads)}
        return case
    # x0 is the variable; everything else is a constant
    first = next(iter(b.inputs))

    def f(x):
        local = dict(env)
        local[first] = x
        return evaluate(e, local)

    x = env[first]
    out = f(x)
    if kind == "jacobian":
        J = torch.autograd.functional.jacobian(f, x)
        u, v = torch.randn(out.shape, dtype=dtype), torch.randn(x.shape, dtype=dtype)
        case.update(out=tensor_json(out), jacobian=tensor_json(J), u=tensor_json(u),
                    vjp=flat(torch.autograd.functional.vjp(f, x, u)[1]), v=tensor_json(v),
                    jvp=flat(torch.autograd.functional.jvp(f, x, v)[1]))
    else:
        g = lambda x: f(x).sum()
        H = torch.autograd.functional.hessian(g, x)
        v = torch.randn(x.shape, dtype=dtype)
        case.update(out=tensor_json(g(x)), hessian=tensor_json(H), v=tensor_json(v),
                    hvp=flat(torch.autograd.functional.hvp(g, x, v)[1]))
    case["wrt"] = first
    return case


def main():
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    plan = ([("grad", torch.float64)] * 170 + [("grad", torch.float32)] * 60 +
            [("loss", torch.float64)] * 50 + [("loss", torch.float32)] * 15 +
            [("jacobian", torch.float64)] * 40 + [("jacobian", torch.float32)] * 10 +
            [("hessian", torch.float64)] * 40 + [("hessian", torch.float32)] * 10)
    cases = [make_case(rng, kind, dtype) for kind, dtype in plan]
    with open(OUT, "w") as fh:
        json.dump({"generator": "tests/reference/torch_agreement.py", "seed": SEED,
                   "torch": torch.__version__, "cases": cases}, fh, separators=(",", ":"))
    print(f"{len(cases)} cases -> {OUT} ({os.path.getsize(OUT) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
