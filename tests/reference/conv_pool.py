#!/usr/bin/python3
"""Golden values for convolutions and pooling from PyTorch (Debian's python3-torch 1.13), read by
tests/test_conv.cpp and tests/test_pool.cpp.

Writes tests/reference/conv_pool.json in the format of tests/support/op_check.hpp: per case the
op name and its options, the inputs (input, weight[, bias]), the output, torch's grad_fn name, a
random grad_output and the gradient of (output * grad_output).sum() w.r.t. every floating input.
Every case is written twice: float64, and float32 (inputs and torch's computation in float32).
max_pool2d_with_indices cases also carry torch's indices. Tensors are tiny on purpose.
Run: /usr/bin/python3 tests/reference/conv_pool.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64"}


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": t.detach().reshape(-1).tolist()}


def uni(*shape, lo=-2.0, hi=2.0):
    return lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)


cases = []


def add(op, fn, inputs, **opts):
    for dtype in (torch.float64, torch.float32):
        ins = [t.to(dtype).clone().requires_grad_(True) if t is not None else None
               for t in inputs]
        ins = [t for t in ins if t is not None]
        out = fn(*ins)
        indices = None
        if isinstance(out, tuple):
            out, indices = out
        go = uni(*out.shape, lo=-1.0, hi=1.0).to(dtype)
        grads = torch.autograd.grad(out, ins, go)
        case = {"op": op, "name": f"{op} {opts} {[list(t.shape) for t in ins]} {DT[dtype]}",
                "options": opts, "inputs": [dict(enc(t), requires_grad=True) for t in ins],
                "output": enc(out), "grad_fn": out.grad_fn.name(), "grad_output": enc(go),
                "grads": [enc(g) for g in grads]}
        if indices is not None:
            case["indices"] = enc(indices)
        cases.append(case)


def conv2d(x_shape, w_shape, bias=True, **o):
    b = uni(w_shape[0]) if bias else None
    add("conv2d", lambda x, w, *b: F.conv2d(x, w, b[0] if b else None, **o),
        [uni(*x_shape), uni(*w_shape), b], bias=bias, **o)


conv2d((2, 3, 6, 5), (4, 3, 3, 3))
conv2d((2, 3, 6, 5), (4, 3, 3, 3), bias=False)
conv2d((1, 2, 7, 7), (3, 2, 3, 2), stride=2, padding=1)
conv2d((1, 2, 7, 8), (3, 2, 3, 3), stride=(2, 3), padding=(1, 2), dilation=(2, 1))
conv2d((2, 2, 6, 6), (2, 2, 2, 3), padding="same")            # even kernel: extra pad after
conv2d((1, 2, 5, 6), (3, 2, 3, 3), padding="same", dilation=2)
conv2d((1, 2, 5, 6), (3, 2, 3, 3), padding="valid")
conv2d((2, 4, 5, 5), (6, 2, 3, 3), groups=2, padding=1)
conv2d((1, 3, 6, 6), (3, 1, 3, 3), groups=3, stride=2)         # depthwise
conv2d((1, 3, 6, 6), (6, 1, 2, 2), groups=3, dilation=2)       # depthwise, multiplier 2
conv2d((3, 5, 5), (2, 3, 3, 3), padding=1)                     # unbatched
conv2d((1, 1, 28, 28), (2, 1, 5, 5), padding=2)                # LeNet's first layer, narrowed
conv2d((1, 3, 15, 15), (2, 3, 11, 11), stride=4, padding=2)    # AlexNet's first layer, narrowed


def conv1d(x_shape, w_shape, bias=True, **o):
    b = uni(w_shape[0]) if bias else None
    add("conv1d", lambda x, w, *b: F.conv1d(x, w, b[0] if b else None, **o),
        [uni(*x_shape), uni(*w_shape), b], bias=bias, **o)


conv1d((2, 3, 9), (4, 3, 3))
conv1d((1, 4, 10), (4, 2, 3), stride=2, padding=2, dilation=2, groups=2, bias=False)
conv1d((1, 2, 8), (3, 2, 4), padding="same")
conv1d((3, 7), (2, 3, 2))                                      # unbatched


def conv_transpose2d(x_shape, w_shape, bias=True, **o):
    b = uni(w_shape[1] * o.get("groups", 1)) if bias else None
    add("conv_transpose2d", lambda x, w, *b: F.conv_transpose2d(x, w, b[0] if b else None, **o),
        [uni(*x_shape), uni(*w_shape), b], bias=bias, **o)


conv_transpose2d((2, 3, 4, 4), (3, 2, 3, 3))
conv_transpose2d((1, 2, 3, 4), (2, 3, 3, 2), bias=False, stride=2, padding=1, output_padding=1)
conv_transpose2d((1, 2, 4, 3), (2, 2, 3, 3), stride=(2, 3), padding=(1, 0),
                 output_padding=(0, 2), dilation=(1, 2))
conv_transpose2d((1, 4, 3, 3), (4, 1, 3, 3), groups=2, stride=2)


def max_pool2d(x_shape, kernel_size, **o):
    add("max_pool2d_with_indices",
        lambda x: F.max_pool2d(x, kernel_size, return_indices=True, **o),
        [uni(*x_shape)], kernel_size=kernel_size, **o)


max_pool2d((2, 2, 6, 6), 2)
max_pool2d((1, 2, 7, 7), 3, stride=2)
max_pool2d((1, 2, 7, 8), (3, 2), stride=(2, 1), padding=1)
max_pool2d((1, 1, 8, 8), 3, stride=2, dilation=2)
max_pool2d((1, 2, 7, 7), 2, ceil_mode=True)
max_pool2d((1, 1, 6, 6), 3, stride=2, padding=1, ceil_mode=True)
max_pool2d((2, 5, 5), 2, stride=1)                              # unbatched
max_pool2d((1, 2, 13, 13), 3, stride=2)                         # AlexNet's pools


def avg_pool2d(x_shape, kernel_size, **o):
    add("avg_pool2d", lambda x: F.avg_pool2d(x, kernel_size, **o), [uni(*x_shape)],
        kernel_size=kernel_size, **o)


avg_pool2d((2, 2, 6, 6), 2)
avg_pool2d((1, 2, 7, 7), 3, stride=2, padding=1)
avg_pool2d((1, 2, 7, 7), 3, stride=2, padding=1, count_include_pad=False)
avg_pool2d((1, 2, 7, 8), (3, 2), stride=(2, 3), padding=(1, 1), ceil_mode=True)
avg_pool2d((1, 2, 7, 8), (3, 2), stride=(2, 3), padding=(1, 1), ceil_mode=True,
           count_include_pad=False)
avg_pool2d((1, 2, 6, 6), 3, stride=2, divisor_override=4)
avg_pool2d((2, 5, 5), 2)                                        # unbatched


def adaptive(op, fn, x_shape, output_size):
    add(op, lambda x: fn(x, output_size), [uni(*x_shape)], output_size=output_size)


for size, out in [((1, 2, 6, 6), 3), ((2, 2, 7, 5), (3, 2)), ((1, 1, 5, 7), (5, 7)),
                  ((1, 2, 3, 3), (6, 6)), ((2, 4, 5), (2, 3))]:
    adaptive("adaptive_avg_pool2d", F.adaptive_avg_pool2d, size, out)
    adaptive("adaptive_max_pool2d_with_indices",
             lambda x, o: F.adaptive_max_pool2d(x, o, return_indices=True), size, out)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "conv_pool.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to conv_pool.json")
