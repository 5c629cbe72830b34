#!/usr/bin/python3
"""PyTorch's values for every row of the op table (tests/support/op_table.hpp).

Run with Debian's torch:  /usr/bin/python3 tests/reference/op_table.py
Reads tests/reference/ops.txt (one line per row: name | torch | grad_fn | shapes | domain, the
same fields as the C++ table; tests/test_op_table.cpp checks that both agree) and writes
tests/reference/op_table.json: for each row, float64 inputs drawn from the row's domain (seeded
by the row's name, at least 0.05 from every kink), the output of the `torch` expression, a random
grad_output, the gradient of every input that requires grad, and PyTorch's grad_fn name.
"""
import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
GAP = 0.05


def parse_line(line):
    name, expr, grad_fn, shapes, domain = [f.strip() for f in line.split("|")]
    shapes = [json.loads(s) for s in shapes.split()]
    words = domain.split()
    lo, hi = float(words[0]), float(words[1])
    kinks, nograd, key = [], [], None
    for w in words[2:]:
        if w in ("kinks", "nograd"):
            key = w
        elif key == "kinks":
            kinks.append(float(w))
        else:
            nograd.append(int(w))
    return dict(name=name, torch=expr, grad_fn=grad_fn, shapes=shapes, lo=lo, hi=hi,
                kinks=kinks, nograd=nograd)


def read_rows():
    with open(os.path.join(HERE, "ops.txt")) as f:
        return [parse_line(l) for l in f if l.strip() and not l.startswith("#")]


def number(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def as_json(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "values": [number(v) for v in t.reshape(-1).tolist()]}


def draw(shape, row, gen):
    x = row["lo"] + (row["hi"] - row["lo"]) * torch.rand(shape, generator=gen,
                                                         dtype=torch.float64)
    flat = x.reshape(-1)
    for i in range(flat.numel()):
        while any(abs(flat[i].item() - k) < GAP for k in row["kinks"]):
            flat[i] = row["lo"] + (row["hi"] - row["lo"]) * torch.rand(
                (), generator=gen, dtype=torch.float64)
    return flat.reshape(shape)


def case(row):
    gen = torch.Generator().manual_seed(zlib.crc32(row["name"].encode()))
    xs = []
    for i, s in enumerate(row["shapes"]):
        x = draw(s, row, gen)
        x.requires_grad_(i not in row["nograd"])
        xs.append(x)
    env = {"torch": torch, "F": F, "math": math}
    env.update({f"x{i}": x for i, x in enumerate(xs)})
    out = eval(row["torch"], env)
    gout = torch.randn(out.shape, generator=gen, dtype=out.dtype)
    grads = torch.autograd.grad(out, [x for x in xs if x.requires_grad], gout, allow_unused=True)
    it = iter(grads)
    grads = [next(it) if x.requires_grad else None for x in xs]
    return {
        "name": row["name"],
        "inputs": [dict(as_json(x), requires_grad=x.requires_grad) for x in xs],
        "output": as_json(out),
        "grad_output": as_json(gout),
        "grads": [as_json(g if g is not None else torch.zeros_like(x)) if x.requires_grad else None
                  for x, g in zip(xs, grads)],
        "grad_fn": type(out.grad_fn).__name__,
    }


def main():
    torch.set_default_dtype(torch.float64)
    cases = [case(r) for r in read_rows()]
    path = os.path.join(HERE, "op_table.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"generator": "tests/reference/op_table.py", "torch": torch.__version__,
                   "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
