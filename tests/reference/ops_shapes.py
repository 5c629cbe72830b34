#!/usr/bin/python3
"""Golden values for tests/test_ops_shapes.cpp from PyTorch (Debian's python3-torch 1.13).

Reductions over dims, scans, sort/topk, shape ops, pad, scatter, indexing, N-d matmul and
einsum. Writes tests/reference/ops_shapes.json in the format of tests/support/op_check.hpp:
per case the op name, inputs, output, a random grad_output, the gradient of
(output * grad_output).sum() for each input that requires grad, and torch's grad_fn name.
Every differentiable op has a float64 and a float32 case. Ops with several outputs are
compared through one tensor: the pieces scaled by 1, 2, 3, ... and concatenated (split, chunk,
unbind), or the values / the indices (sort, topk).
Run: /usr/bin/python3 tests/reference/ops_shapes.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
DT = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64",
      torch.bool: "bool"}
f64, f32 = torch.float64, torch.float32


def num(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    if isinstance(v, bool):
        return int(v)
    return v


def enc(t):
    return {"shape": list(t.shape), "dtype": DT[t.dtype],
            "values": [num(v) for v in t.detach().reshape(-1).tolist()]}


def uni(shape, lo=-2.0, hi=2.0, dtype=f64):
    return (lo + (hi - lo) * torch.rand(shape, dtype=f64)).to(dtype)


def scaled_cat(pieces, dim):
    return torch.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def scaled_stack(pieces, dim):
    return torch.stack([p * (i + 1) for i, p in enumerate(pieces)], dim)


# op name -> function; tests/test_ops_shapes.cpp has the same table
OPS = {
    # reductions over dims
    "sum_dims_0_2": lambda x: x[0].sum((0, 2)),
    "sum_dims_-1_1_keepdim": lambda x: x[0].sum((-1, 1), keepdim=True),
    "mean_dims_0_2": lambda x: x[0].mean((0, 2)),
    "mean_dims_1_keepdim": lambda x: x[0].mean((1,), keepdim=True),
    "prod_all": lambda x: x[0].prod(),
    "prod_dim1": lambda x: x[0].prod(1),
    "prod_dim0_keepdim": lambda x: x[0].prod(0, keepdim=True),
    "amax_dims_0_2": lambda x: x[0].amax((0, 2)),
    "amax_all": lambda x: x[0].amax(),
    "amin_dim1_keepdim": lambda x: x[0].amin(1, keepdim=True),
    "var_all": lambda x: x[0].var(),
    "var_dims_0_2": lambda x: x[0].var((0, 2)),
    "var_dim1_c0_keepdim": lambda x: torch.var(x[0], 1, correction=0, keepdim=True),
    "var_all_c0": lambda x: torch.var(x[0], None, correction=0),
    "std_all": lambda x: x[0].std(),
    "std_dims_0_1": lambda x: x[0].std((0, 1)),
    "std_dim-1_c0": lambda x: torch.std(x[0], -1, correction=0),
    "logsumexp_dims_0_2": lambda x: torch.logsumexp(x[0], (0, 2)),
    "logsumexp_dims_1_keepdim": lambda x: torch.logsumexp(x[0], (1,), keepdim=True),
    "norm_2_all": lambda x: torch.norm(x[0]),
    "norm_1_dim1": lambda x: torch.norm(x[0], 1, 1),
    "norm_inf_dim1": lambda x: torch.norm(x[0], float("inf"), 1),
    "norm_-inf_dim0": lambda x: torch.norm(x[0], float("-inf"), 0),
    "norm_3_dims_0_2": lambda x: torch.norm(x[0], 3, (0, 2)),
    "norm_0.5_dim1_keepdim": lambda x: torch.norm(x[0], 0.5, 1, keepdim=True),
    "norm_2_dims_0_1": lambda x: torch.norm(x[0], 2, (0, 1)),
    "norm_0_dim1": lambda x: torch.norm(x[0], 0, 1),
    "max_dim1": lambda x: x[0].max(1)[0],
    "argmin_dim0": lambda x: x[0].argmin(0),
    # scans
    "cumsum_dim0": lambda x: x[0].cumsum(0),
    "cumsum_dim-1": lambda x: x[0].cumsum(-1),
    "cumprod_dim1": lambda x: x[0].cumprod(1),
    "cumprod_dim0": lambda x: x[0].cumprod(0),
    # sorting
    "sort_values_dim1": lambda x: x[0].sort(1)[0],
    "sort_indices_dim1": lambda x: x[0].sort(1)[1],
    "sort_values_desc": lambda x: x[0].sort(-1, descending=True)[0],
    "sort_indices_desc": lambda x: x[0].sort(-1, descending=True)[1],
    "sort_stable_indices_dim0": lambda x: torch.sort(x[0], stable=True, dim=0)[1],
    "topk_values_2": lambda x: x[0].topk(2)[0],
    "topk_indices_2": lambda x: x[0].topk(2)[1],
    "topk_values_smallest_dim0": lambda x: x[0].topk(2, 0, largest=False)[0],
    # shape
    "flip_0_2": lambda x: x[0].flip((0, 2)),
    "flip_-1": lambda x: x[0].flip((-1,)),
    "roll_1_dim0": lambda x: x[0].roll(1, 0),
    "roll_flat_-3": lambda x: x[0].roll(-3),
    "roll_2_-1_dims_0_1": lambda x: x[0].roll((2, -1), (0, 1)),
    "repeat_2_1_3": lambda x: x[0].repeat(2, 1, 3),
    "repeat_2_2_1_1": lambda x: x[0].repeat(2, 2, 1, 1),
    "tile_2": lambda x: x[0].tile((2,)),
    "chunk_3_dim1": lambda x: scaled_cat(x[0].chunk(3, 1), 1),
    "split_2_dim0": lambda x: scaled_cat(x[0].split(2, 0), 0),
    "split_sizes_1_3_dim-1": lambda x: scaled_cat(x[0].split([1, 3], -1), -1),
    "unbind_dim1": lambda x: scaled_stack(x[0].unbind(1), 1),
    "narrow_1_1_2": lambda x: x[0].narrow(1, 1, 2),
    "narrow_0_-2_2": lambda x: x[0].narrow(0, -2, 2),
    "movedim_0_2": lambda x: x[0].movedim(0, 2),
    "movedim_01_20": lambda x: x[0].movedim((0, 1), (2, 0)),
    "swapaxes_0_2": lambda x: x[0].swapaxes(0, 2),
    "expand_as": lambda x: x[0].expand_as(x[1]),
    "tril": lambda x: x[0].tril(),
    "tril_-1": lambda x: x[0].tril(-1),
    "triu_1": lambda x: x[0].triu(1),
    # scatter
    "scatter_src_dim1": lambda x: torch.scatter(x[0], 1, x[1], x[2]),
    "scatter_value_dim0": lambda x: torch.scatter(x[0], 0, x[1], 2.5),
    "scatter_add_dim1": lambda x: torch.scatter_add(x[0], 1, x[1], x[2]),
    "scatter_reduce_add": lambda x: torch.scatter(x[0], 1, x[1], x[2], reduce="add"),
    "scatter_reduce_multiply": lambda x: torch.scatter(x[0], 1, x[1], x[2], reduce="multiply"),
    # pad
    "pad_constant_1_2": lambda x: F.pad(x[0], (1, 2)),
    "pad_constant_1_-1_2_0_v1.5": lambda x: F.pad(x[0], (1, -1, 2, 0), value=1.5),
    "pad_reflect_2_1": lambda x: F.pad(x[0], (2, 1), mode="reflect"),
    "pad_reflect_1_2_2_1": lambda x: F.pad(x[0], (1, 2, 2, 1), mode="reflect"),
    "pad_replicate_2_3": lambda x: F.pad(x[0], (2, 3), mode="replicate"),
    "pad_replicate_1_0_2_1": lambda x: F.pad(x[0], (1, 0, 2, 1), mode="replicate"),
    "pad_circular_1_2": lambda x: F.pad(x[0], (1, 2), mode="circular"),
    "pad_circular_2_1_1_3": lambda x: F.pad(x[0], (2, 1, 1, 3), mode="circular"),
    "pad_reflect_3d": lambda x: F.pad(x[0], (1, 1, 0, 2, 1, 0), mode="reflect"),
    # matmul and einsum
    "matmul": lambda x: torch.matmul(x[0], x[1]),
    "einsum_ij_jk": lambda x: torch.einsum("ij,jk->ik", x[0], x[1]),
    "einsum_bij_bjk": lambda x: torch.einsum("bij,bjk->bik", x[0], x[1]),
    "einsum_ij_kj_implicit": lambda x: torch.einsum("ij,kj", x[0], x[1]),
    "einsum_ii_i": lambda x: torch.einsum("ii->i", x[0]),
    "einsum_ii": lambda x: torch.einsum("ii", x[0]),
    "einsum_ij_sum": lambda x: torch.einsum("ij->", x[0]),
    "einsum_i_j_outer": lambda x: torch.einsum("i,j->ij", x[0], x[1]),
    "einsum_bhqd_bhkd": lambda x: torch.einsum("bhqd,bhkd->bhqk", x[0], x[1]),
    "einsum_three": lambda x: torch.einsum("ij,jk,kl->il", x[0], x[1], x[2]),
    "einsum_transpose": lambda x: torch.einsum("ijk->kij", x[0]),
}

ties = torch.tensor([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 0.5], [-3.0, 2.0, 2.0, 2.0]],
                    dtype=f64)
nan_row = torch.tensor([[1.0, float("nan"), -1.0, 2.0], [0.0, 3.0, float("nan"), 3.0]],
                       dtype=f64)
zeros1 = torch.tensor([[1.5, 0.0, -2.0, 0.5], [0.0, 0.0, 3.0, -1.0], [2.0, -0.5, 1.0, 1.25]],
                      dtype=f64)
neg_inf = torch.tensor([[float("-inf"), float("-inf")], [0.5, float("-inf")]], dtype=f64)
idx = torch.tensor([[0, 2], [3, 1], [1, 1]])
idx0 = torch.tensor([[0, 2, 1, 0], [2, 0, 0, 1]])
ints = torch.tensor([[1, 4, -4], [-2, 0, 7]])

# (op, inputs, which inputs require grad, dtypes to run in)
BOTH = (f64, f32)
CASES = [
    ("sum_dims_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("sum_dims_-1_1_keepdim", [uni((2, 3, 4))], [True], BOTH),
    ("sum_dims_0_2", [torch.arange(24).reshape(2, 3, 4)], [False], (None,)),
    ("mean_dims_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("mean_dims_1_keepdim", [uni((2, 3, 4))], [True], BOTH),
    ("prod_all", [uni((2, 3), 0.5, 1.5)], [True], BOTH),
    ("prod_dim1", [uni((3, 4))], [True], BOTH),
    ("prod_dim0_keepdim", [uni((3, 4))], [True], BOTH),
    ("prod_dim1", [zeros1], [True], BOTH),
    ("prod_all", [zeros1[0:1]], [True], BOTH),
    ("prod_all", [zeros1], [True], BOTH),
    ("prod_dim1", [ints], [False], (None,)),
    ("amax_dims_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("amax_all", [ties], [True], BOTH),
    ("amin_dim1_keepdim", [ties], [True], BOTH),
    ("amax_dims_0_2", [nan_row.reshape(2, 2, 2)], [False], (f64,)),
    ("amin_dim1_keepdim", [ints], [False], (None,)),
    ("var_all", [uni((3, 4))], [True], BOTH),
    ("var_dims_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("var_dim1_c0_keepdim", [uni((3, 4))], [True], BOTH),
    ("var_all_c0", [uni((2, 3))], [True], BOTH),
    ("std_all", [uni((3, 4))], [True], BOTH),
    ("std_dims_0_1", [uni((2, 3, 4))], [True], BOTH),
    ("std_dim-1_c0", [uni((3, 4))], [True], BOTH),
    ("logsumexp_dims_0_2", [uni((2, 3, 4), -5, 5)], [True], BOTH),
    ("logsumexp_dims_1_keepdim", [uni((2, 3, 4), -5, 5)], [True], BOTH),
    ("logsumexp_dims_1_keepdim", [neg_inf.reshape(2, 2, 1)], [False], (f64,)),
    ("norm_2_all", [uni((3, 4))], [True], BOTH),
    ("norm_1_dim1", [uni((3, 4))], [True], BOTH),
    ("norm_inf_dim1", [uni((3, 4))], [True], BOTH),
    ("norm_inf_dim1", [ties], [True], BOTH),
    ("norm_-inf_dim0", [uni((3, 4))], [True], BOTH),
    ("norm_3_dims_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("norm_0.5_dim1_keepdim", [uni((3, 4), 0.2, 2)], [True], BOTH),
    ("norm_2_dims_0_1", [uni((2, 3, 4))], [True], BOTH),
    ("norm_0_dim1", [zeros1], [True], BOTH),
    ("max_dim1", [nan_row], [False], (f64,)),
    ("argmin_dim0", [ties], [False], (f64,)),
    ("cumsum_dim0", [uni((3, 4))], [True], BOTH),
    ("cumsum_dim-1", [uni((2, 3, 4))], [True], BOTH),
    ("cumsum_dim-1", [ints], [False], (None,)),
    ("cumprod_dim1", [uni((3, 4), 0.5, 1.5)], [True], BOTH),
    ("cumprod_dim1", [zeros1], [True], BOTH),
    ("cumprod_dim0", [uni((3, 2, 2))], [True], BOTH),
    ("sort_values_dim1", [uni((3, 5))], [True], BOTH),
    ("sort_indices_dim1", [ties], [False], (f64,)),
    ("sort_values_desc", [uni((2, 3, 4))], [True], BOTH),
    ("sort_indices_desc", [ties], [False], (f64,)),
    ("sort_indices_dim1", [nan_row], [False], (f64,)),
    ("sort_indices_desc", [nan_row], [False], (f64,)),
    ("sort_values_desc", [nan_row], [False], (f64,)),
    ("sort_stable_indices_dim0", [ties.t().contiguous()], [False], (f64,)),
    ("sort_indices_dim1", [ints], [False], (None,)),
    ("topk_values_2", [uni((3, 5))], [True], BOTH),
    ("topk_indices_2", [uni((3, 5))], [False], (f64,)),
    ("topk_values_smallest_dim0", [uni((4, 3))], [True], BOTH),
    ("flip_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("flip_-1", [uni((3, 4))], [True], BOTH),
    ("flip_0_2", [torch.arange(24).reshape(2, 3, 4)], [False], (None,)),
    ("roll_1_dim0", [uni((3, 4))], [True], BOTH),
    ("roll_flat_-3", [uni((3, 4))], [True], BOTH),
    ("roll_2_-1_dims_0_1", [uni((3, 4))], [True], BOTH),
    ("repeat_2_1_3", [uni((2, 3))], [True], BOTH),
    ("repeat_2_2_1_1", [uni((2, 3))], [True], BOTH),
    ("tile_2", [uni((2, 3))], [True], BOTH),
    ("chunk_3_dim1", [uni((2, 5))], [True], BOTH),
    ("split_2_dim0", [uni((5, 2))], [True], BOTH),
    ("split_sizes_1_3_dim-1", [uni((2, 4))], [True], BOTH),
    ("unbind_dim1", [uni((2, 3, 2))], [True], BOTH),
    ("narrow_1_1_2", [uni((3, 4))], [True], BOTH),
    ("narrow_0_-2_2", [uni((3, 4))], [True], BOTH),
    ("movedim_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("movedim_01_20", [uni((2, 3, 4))], [True], BOTH),
    ("swapaxes_0_2", [uni((2, 3, 4))], [True], BOTH),
    ("expand_as", [uni((3, 1)), uni((2, 3, 4))], [True, False], BOTH),
    ("tril", [uni((4, 4))], [True], BOTH),
    ("tril_-1", [uni((2, 3, 4))], [True], BOTH),
    ("triu_1", [uni((4, 3))], [True], BOTH),
    ("scatter_src_dim1", [uni((3, 4)), idx, uni((3, 2))], [True, False, True], BOTH),
    ("scatter_value_dim0", [uni((3, 4)), idx0], [True, False], BOTH),
    ("scatter_add_dim1", [uni((3, 4)), idx, uni((3, 2))], [True, False, True], BOTH),
    ("scatter_reduce_add", [uni((3, 4)), idx, uni((3, 2))], [False, False, False], BOTH),
    ("scatter_reduce_multiply", [uni((3, 4)), idx, uni((3, 2))], [False, False, False], BOTH),
    ("pad_constant_1_2", [uni((2, 3))], [True], BOTH),
    ("pad_constant_1_-1_2_0_v1.5", [uni((2, 3, 4))], [True], BOTH),
    ("pad_reflect_2_1", [uni((2, 4))], [True], BOTH),
    ("pad_reflect_2_1", [uni((1, 2, 3))], [True], BOTH),
    ("pad_reflect_1_2_2_1", [uni((1, 2, 3, 4))], [True], BOTH),
    ("pad_replicate_2_3", [uni((2, 3))], [True], BOTH),
    ("pad_replicate_1_0_2_1", [uni((2, 3, 2))], [True], BOTH),
    ("pad_circular_1_2", [uni((1, 2, 3))], [True], BOTH),
    ("pad_circular_2_1_1_3", [uni((1, 2, 3, 4))], [True], BOTH),
    ("pad_reflect_3d", [uni((1, 2, 3, 3, 3))], [True], BOTH),
    ("matmul", [uni((2, 1, 3, 4)), uni((5, 4, 2))], [True, True], BOTH),
    ("matmul", [uni((2, 3, 2, 4)), uni((2, 3, 4, 3))], [True, True], BOTH),
    ("matmul", [uni((4,)), uni((2, 3, 4, 5))], [True, True], BOTH),
    ("matmul", [uni((2, 2, 3, 4)), uni((4,))], [True, True], BOTH),
    ("matmul", [uni((3, 4)), uni((2, 1, 4, 2))], [True, True], BOTH),
    ("matmul", [uni((2, 2, 3, 4)), uni((4, 2))], [True, True], BOTH),
    ("einsum_ij_jk", [uni((2, 3)), uni((3, 4))], [True, True], BOTH),
    ("einsum_bij_bjk", [uni((2, 2, 3)), uni((2, 3, 4))], [True, True], BOTH),
    ("einsum_ij_kj_implicit", [uni((2, 3)), uni((4, 3))], [True, True], BOTH),
    ("einsum_ii_i", [uni((3, 3))], [True], BOTH),
    ("einsum_ii", [uni((3, 3))], [True], BOTH),
    ("einsum_ij_sum", [uni((3, 4))], [True], BOTH),
    ("einsum_i_j_outer", [uni((3,)), uni((4,))], [True, True], BOTH),
    ("einsum_bhqd_bhkd", [uni((2, 2, 3, 4)), uni((2, 2, 5, 4))], [True, True], BOTH),
    ("einsum_three", [uni((2, 3)), uni((3, 4)), uni((4, 2))], [True, True, True], BOTH),
    ("einsum_transpose", [uni((2, 3, 4))], [True], BOTH),
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
            gs = torch.autograd.grad(out, [x for x in xs if x.requires_grad], go, allow_unused=True)
            gs = [torch.zeros_like(x) if g is None else g for g, x in zip(gs, [x for x in xs if x.requires_grad])]
            it = iter(gs)
            case["grad_output"] = enc(go)
            case["grads"] = [enc(next(it)) if x.requires_grad else None for x in xs]
            case["grad_fn"] = type(out.grad_fn).__name__
        cases.append(case)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops_shapes.json")
with open(path, "w") as f:
    json.dump({"generator": "tests/reference/ops_shapes.py", "torch": torch.__version__,
               "cases": cases}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {path}")
