#!/usr/bin/python3
"""Golden values for tests/test_ops_index.cpp from PyTorch (Debian's python3-torch 1.13).

Advanced indexing (x[...] with ints, slices, None, Ellipsis, Int64 tensors and Bool masks),
index_put_ (with and without accumulate), masked_fill, masked_select, nonzero, any, all.
Writes tests/reference/ops_index.json in the format of tests/support/op_check.hpp (values and
gradients in float32 and float64, torch's grad_fn name).
Run: /usr/bin/python3 tests/reference/ops_index.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64",
      torch.bool: "bool", torch.uint8: "uint8"}
f64, f32 = torch.float64, torch.float32


def num(v):
    if isinstance(v, bool):
        return int(v)
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
    return lo + (hi - lo) * torch.rand(shape, dtype=f64)


def put(x, idx, v, acc=False):
    y = x.clone()
    y.index_put_(idx, v, accumulate=acc)
    return y


# op name -> function; tests/test_ops_index.cpp has the same table
OPS = {
    "index_tensor": lambda x: x[0][x[1]],
    "index_two_tensors": lambda x: x[0][x[1], x[2]],
    "index_slice_tensor": lambda x: x[0][1:, x[1]],
    "index_nonadjacent": lambda x: x[0][x[1], :, x[2]],
    "index_adjacent_middle": lambda x: x[0][:, x[1], x[2]],
    "index_int_then_tensor": lambda x: x[0][1, x[1]],
    "index_mask": lambda x: x[0][x[1]],
    "index_mask_then_slice": lambda x: x[0][x[1], 1:],
    "index_none_ellipsis_int": lambda x: x[0][None, ..., 0],
    "index_ellipsis_tensor": lambda x: x[0][..., x[1]],
    "index_step_slice": lambda x: x[0][::2, 1:3],
    "index_put_tensor": lambda x: put(x[0], (x[1],), x[2]),
    "index_put_acc": lambda x: put(x[0], (x[1],), x[2], True),
    "index_put_mask_scalar": lambda x: put(x[0], (x[1],), torch.tensor(0.5, dtype=x[0].dtype)),
    "index_put_two_tensors": lambda x: put(x[0], (x[1], x[2]), x[3]),
    "masked_fill": lambda x: x[0].masked_fill(x[1], 2.5),
    "masked_fill_tensor": lambda x: x[0].masked_fill(x[1], x[2]),
    "masked_select": lambda x: x[0].masked_select(x[1]),
    "nonzero": lambda x: torch.nonzero(x[0]),
    "any_all": lambda x: torch.any(x[0]),
    "any_dim1": lambda x: torch.any(x[0], 1),
    "all_dim0_keepdim": lambda x: torch.all(x[0], 0, keepdim=True),
    "all_all": lambda x: torch.all(x[0]),
}

x34 = uni((3, 4))
x234 = uni((2, 3, 4))
i2 = torch.tensor([[0, 2], [1, 0]])
rep = torch.tensor([2, 0, 2, -1])
mask34 = torch.tensor([[True, False, True, False], [False, False, True, True],
                       [True, True, False, False]])
mask3 = torch.tensor([True, False, True])
BOTH = (f64, f32)
CASES = [
    ("index_tensor", [x34, i2], [True, False], BOTH),
    ("index_tensor", [x34, rep], [True, False], BOTH),
    ("index_two_tensors", [x34, torch.tensor([[0], [2]]), torch.tensor([1, 3, 3])],
     [True, False, False], BOTH),
    ("index_slice_tensor", [x34, torch.tensor([3, 0, 3])], [True, False], BOTH),
    ("index_nonadjacent", [x234, torch.tensor([1, 0]), torch.tensor([3, 2])],
     [True, False, False], BOTH),
    ("index_adjacent_middle", [x234, torch.tensor([2, 0, 1]), torch.tensor([0, 3, 3])],
     [True, False, False], BOTH),
    ("index_int_then_tensor", [x234, torch.tensor([[2, 1], [0, 0]])], [True, False], BOTH),
    ("index_mask", [x34, mask34], [True, False], BOTH),
    ("index_mask", [x34, mask3], [True, False], BOTH),
    ("index_mask_then_slice", [x34, mask3], [True, False], BOTH),
    ("index_none_ellipsis_int", [x234], [True], BOTH),
    ("index_ellipsis_tensor", [x234, torch.tensor([1, 1, 0])], [True, False], BOTH),
    ("index_step_slice", [x34], [True], BOTH),
    ("index_put_tensor", [x34, torch.tensor([2, 0]), uni((2, 4))], [True, False, True], BOTH),
    ("index_put_tensor", [x34, torch.tensor([1]), uni((4,))], [True, False, True], BOTH),
    ("index_put_acc", [x34, rep, uni((4, 4))], [True, False, True], BOTH),
    ("index_put_mask_scalar", [x34, mask34], [True, False], BOTH),
    ("index_put_two_tensors", [x34, torch.tensor([0, 2, 1]), torch.tensor([3, 3, 0]), uni((3,))],
     [True, False, False, True], BOTH),
    ("masked_fill", [x34, mask34], [True, False], BOTH),
    ("masked_fill", [x34, torch.tensor([True, False, False, True])], [True, False], BOTH),
    ("masked_fill_tensor", [x34, mask34, torch.tensor(-1.5, dtype=f64)], [True, False, True], BOTH),
    ("masked_select", [x34, mask34], [True, False], BOTH),
    ("masked_select", [uni((4,)), mask34], [True, False], BOTH),
    ("nonzero", [torch.tensor([[0.0, 1.5, 0.0], [float("nan"), 0.0, -2.0]], dtype=f64)], [False],
     (None,)),
    ("nonzero", [mask34], [False], (None,)),
    ("any_all", [torch.tensor([[0.0, 0.0], [0.0, 0.0]], dtype=f64)], [False], (None,)),
    ("any_dim1", [torch.tensor([[0.0, 0.0], [0.0, float("nan")], [1.0, 0.0]], dtype=f64)],
     [False], (None,)),
    ("all_dim0_keepdim", [mask34], [False], (None,)),
    ("all_all", [torch.tensor([1, 2, 3])], [False], (None,)),
    ("any_dim1", [torch.tensor([[0, 3], [0, 0]], dtype=torch.uint8)], [False], (None,)),
]

cases = []
for op, inputs, grads, dtypes in CASES:
    for dt in dtypes:
        xs = [(x.to(dt) if dt is not None and x.is_floating_point() else x.clone())
              .requires_grad_(g) for x, g in zip(inputs, grads)]
        out = OPS[op](xs)
        name = f"{op} {[list(x.shape) for x in xs]} {DT[xs[0].dtype]}"
        case = {"op": op, "name": name,
                "inputs": [dict(enc(x), requires_grad=g) for x, g in zip(xs, grads)],
                "output": enc(out)}
        if out.requires_grad:
            go = torch.randn(out.shape, dtype=f64).to(out.dtype)
            want = [x for x in xs if x.requires_grad]
            gs = torch.autograd.grad(out, want, go, allow_unused=True)
            gs = [torch.zeros_like(x) if g is None else g for g, x in zip(gs, want)]
            it = iter(gs)
            case["grad_output"] = enc(go)
            case["grads"] = [enc(next(it)) if x.requires_grad else None for x in xs]
            case["grad_fn"] = type(out.grad_fn).__name__
        cases.append(case)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_index.json")
with open(path, "w") as f:
    json.dump({"generator": "tests/reference/ops_index.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {path}")
