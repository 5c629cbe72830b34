#!/usr/bin/python3
"""Golden values for layer_norm, group_norm and interpolate from PyTorch (Debian's python3-torch
1.13), read by tests/test_norms.cpp.

Writes tests/reference/norms.json in the format of tests/support/op_check.hpp: per case the op
name and its options, the inputs (input[, weight, bias]), the output, torch's grad_fn name, a
random grad_output and the gradient of (output * grad_output).sum() w.r.t. every input. Every
case is written twice: float64, and float32 (inputs and torch's computation in float32).
Run: /usr/bin/python3 tests/reference/norms.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32"}


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": t.detach().reshape(-1).tolist()}


def uni(*shape, lo=-2.0, hi=2.0):
    return lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)


cases = []


def add(op, fn, inputs, **opts):
    for dtype in (torch.float64, torch.float32):
        ins = [t.to(dtype).clone().requires_grad_(True) for t in inputs]
        out = fn(*ins)
        go = uni(*out.shape, lo=-1.0, hi=1.0).to(dtype)
        grads = torch.autograd.grad(out, ins, go)
        cases.append({"op": op, "name": f"{op} {opts} {[list(t.shape) for t in ins]} {DT[dtype]}",
                      "options": opts, "inputs": [dict(enc(t), requires_grad=True) for t in ins],
                      "output": enc(out), "grad_fn": out.grad_fn.name(), "grad_output": enc(go),
                      "grads": [enc(g) for g in grads]})


def layer_norm(x_shape, normalized_shape, affine=True, eps=1e-5):
    ins = [uni(*x_shape)] + ([uni(*normalized_shape), uni(*normalized_shape)] if affine else [])
    add("layer_norm", lambda x, *wb: F.layer_norm(x, normalized_shape, *wb, eps=eps), ins,
        normalized_shape=list(normalized_shape), affine=affine, eps=eps)


layer_norm((3, 5), (5,))
layer_norm((2, 3, 4), (3, 4))
layer_norm((2, 3, 4), (4,), affine=False, eps=1e-3)
layer_norm((4, 64), (64,))                                      # a transformer-sized row
layer_norm((6,), (6,))                                          # one row


def group_norm(x_shape, groups, affine=True, eps=1e-5):
    c = x_shape[1]
    ins = [uni(*x_shape)] + ([uni(c), uni(c)] if affine else [])
    add("group_norm", lambda x, *wb: F.group_norm(x, groups, *wb, eps=eps), ins,
        num_groups=groups, affine=affine, eps=eps)


group_norm((2, 4, 3, 3), 2)
group_norm((2, 6, 5), 3, eps=1e-3)
group_norm((3, 4), 2)                                           # [N, C]: no spatial dims
group_norm((1, 6, 2, 3), 1, affine=False)                       # one group: layer norm over C·H·W
group_norm((2, 8, 4, 4), 8)                                     # instance norm


def interpolate(x_shape, **o):
    add("interpolate", lambda x: F.interpolate(x, **o), [uni(*x_shape)], **o)


interpolate((1, 2, 3, 4), size=(5, 7))
interpolate((2, 2, 3, 3), scale_factor=2.0)
interpolate((1, 2, 3, 4), scale_factor=(1.5, 2.3))
interpolate((1, 1, 5, 7), size=(2, 3))                          # nearest downsampling
interpolate((1, 2, 4, 5), scale_factor=(0.7, 1.3), recompute_scale_factor=True)
interpolate((2, 3, 4), scale_factor=2.5)                        # nearest 1d
interpolate((1, 2, 3, 4), size=(5, 7), mode="nearest-exact")
interpolate((1, 2, 3, 4), size=(5, 7), mode="bilinear")
interpolate((1, 2, 3, 4), size=(5, 7), mode="bilinear", align_corners=True)
interpolate((2, 2, 3, 3), scale_factor=2.0, mode="bilinear")
interpolate((1, 2, 6, 5), scale_factor=(0.5, 1.5), mode="bilinear")
interpolate((1, 2, 3, 4), scale_factor=1.7, mode="bilinear", align_corners=True)
interpolate((1, 1, 3, 5), scale_factor=1.2, mode="bilinear")   # H: 3 -> 3 with scale 1/1.2
interpolate((1, 2, 3, 4), scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)
interpolate((1, 2, 3, 4), size=(1, 6), mode="bilinear", align_corners=True)
interpolate((2, 2, 4), size=7, mode="linear")
interpolate((2, 2, 4), scale_factor=2.0, mode="linear", align_corners=True)
interpolate((1, 2, 5, 7), size=(2, 3), mode="area")

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "norms.json")
with open(path + ".tmp", "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
os.replace(path + ".tmp", path)
print(f"wrote {len(cases)} cases to norms.json")
