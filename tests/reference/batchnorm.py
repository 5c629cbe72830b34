#!/usr/bin/python3
"""Golden values for batch normalization from PyTorch (Debian's python3-torch 1.13), read by
tests/test_batchnorm.cpp.

Writes tests/reference/batchnorm.json:
- "functional": F.batch_norm cases in float64 and float32: inputs (x[, weight, bias], all
  requiring grad, in the format of tests/support/op_check.hpp), the running statistics before
  and after the call (training updates them with momentum and the unbiased variance), the
  output, torch's grad_fn, a random grad_output and the gradients of (output * grad_output).sum().
- "modules": nn.BatchNorm1d / BatchNorm2d driven through a few training steps and one eval
  step: the inputs, every output, and the state_dict (running_mean, running_var,
  num_batches_tracked) after each step.
Tensors are tiny on purpose. Run: /usr/bin/python3 tests/reference/batchnorm.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64"}


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": t.detach().reshape(-1).tolist()}


def uni(*shape, lo=-2.0, hi=2.0):
    return lo + (hi - lo) * torch.rand(shape, dtype=torch.float64)


functional = []


def add(x_shape, affine=True, running=True, training=True, momentum=0.1, eps=1e-5):
    C = x_shape[1]
    x0, w0, b0 = uni(*x_shape), uni(C, lo=0.5, hi=1.5), uni(C)
    rm0, rv0 = uni(C, lo=-0.5, hi=0.5), uni(C, lo=0.5, hi=2.0)
    for dtype in (torch.float64, torch.float32):
        ins = [x0.to(dtype).requires_grad_()]
        if affine:
            ins += [w0.to(dtype).requires_grad_(), b0.to(dtype).requires_grad_()]
        rm = rm0.to(dtype).clone() if running else None
        rv = rv0.to(dtype).clone() if running else None
        case = {"options": {"affine": affine, "running": running, "training": training,
                            "momentum": momentum, "eps": eps},
                "inputs": [dict(enc(t), requires_grad=True) for t in ins]}
        if running:
            case["running_mean"], case["running_var"] = enc(rm), enc(rv)
        out = F.batch_norm(ins[0], rm, rv, ins[1] if affine else None,
                           ins[2] if affine else None, training=training, momentum=momentum,
                           eps=eps)
        go = uni(*out.shape, lo=-1.0, hi=1.0).to(dtype)
        grads = torch.autograd.grad(out, ins, go)
        case.update({"op": "batch_norm",
                     "name": f"batch_norm {case['options']} {list(x_shape)} {DT[dtype]}",
                     "output": enc(out), "grad_fn": out.grad_fn.name(), "grad_output": enc(go),
                     "grads": [enc(g) for g in grads]})
        if running:
            case["running_mean_after"], case["running_var_after"] = enc(rm), enc(rv)
        functional.append(case)


add((4, 3))                                              # BatchNorm1d's [N, C]
add((3, 2, 5))                                           # [N, C, L]
add((2, 3, 4, 3))                                        # [N, C, H, W]
add((2, 3, 4, 3), momentum=0.3, eps=1e-3)
add((2, 3, 4, 3), affine=False)
add((2, 3, 2, 2), running=False)                         # batch statistics only
add((2, 3, 4, 3), training=False)                        # eval: running statistics
add((2, 2, 3, 2), training=False, affine=False, eps=0.1)
add((2, 2, 2, 2, 2))                                     # BatchNorm3d's [N, C, D, H, W]

modules = []


def drive(name, make, shapes, steps_train, dtype=torch.float32):
    torch.manual_seed(len(modules) + 1)
    m = make().to(dtype)
    with torch.no_grad():
        if m.affine:
            m.weight.copy_(uni(m.num_features, lo=0.5, hi=1.5))
            m.bias.copy_(uni(m.num_features))
    init = {k: enc(v) for k, v in m.state_dict().items()}
    steps = []
    for i, shape in enumerate(shapes):
        training = i < steps_train
        m.train(training)
        x = uni(*shape).to(dtype)
        y = m(x)
        steps.append({"training": training, "input": enc(x), "output": enc(y),
                      "state_dict": {k: enc(v) for k, v in m.state_dict().items()}})
    modules.append({"name": name, "repr": repr(m), "init": init, "steps": steps})


drive("BatchNorm2d(3)", lambda: nn.BatchNorm2d(3), [(4, 3, 3, 3)] * 3 + [(2, 3, 3, 3)], 3)
drive("BatchNorm2d(2, momentum=None)", lambda: nn.BatchNorm2d(2, momentum=None),
      [(3, 2, 2, 3)] * 3 + [(1, 2, 2, 2)], 3)
drive("BatchNorm1d(4, eps=0.001, momentum=0.2)", lambda: nn.BatchNorm1d(4, eps=1e-3, momentum=0.2),
      [(5, 4), (3, 4, 2), (2, 4)], 2)
drive("BatchNorm1d(3, affine=False, track_running_stats=False)",
      lambda: nn.BatchNorm1d(3, affine=False, track_running_stats=False),
      [(4, 3), (3, 3, 2)], 1)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "batchnorm.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "functional": functional, "modules": modules},
              f)
print(f"wrote {len(functional)} functional cases and {len(modules)} module runs to batchnorm.json")
