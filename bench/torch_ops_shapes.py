#!/usr/bin/python3
"""PyTorch side of bench/bench_ops_shapes.cpp: the same ops on the same shapes (1M float32
elements), forward and forward+backward, median microseconds as JSON."""
import json
import sys

import torch
import torch.nn.functional as F

from timing import median_us

idx = torch.randint(0, 1024, (1024,))
OPS = {
    "sum_dims": ((64, 128, 128), lambda x: x.sum((0, 2))),
    "sum_dims_chain": ((64, 128, 128), lambda x: x.sum(2).sum(0)),
    "var_dim": ((1024, 1024), lambda x: x.var(1)),
    "cumsum": ((1024, 1024), lambda x: x.cumsum(1)),
    "sort": ((1024, 1024), lambda x: x.sort(1)[0]),
    "topk": ((1024, 1024), lambda x: x.topk(10, 1)[0]),
    "flip": ((1024, 1024), lambda x: x.flip(1)),
    "repeat": ((1024, 1024), lambda x: x[:256].repeat(2, 2)),
    "pad_constant": ((16, 4, 128, 128), lambda x: F.pad(x, (2, 2, 2, 2))),
    "pad_reflect": ((16, 4, 128, 128), lambda x: F.pad(x, (2, 2, 2, 2), mode="reflect")),
    "index_tensor": ((1024, 1024), lambda x: x[idx]),
    "scatter_add": ((1024, 1024),
                    lambda x: torch.scatter_add(x, 1, idx.reshape(1, 1024).expand(1024, 1024), x)),
    "matmul_4d": ((16, 16, 64, 64), lambda x: x @ x),
    "einsum_bhqd": ((16, 16, 64, 64), lambda x: torch.einsum("bhqd,bhkd->bhqk", x, x)),
}

out = {}
for op, (shape, fn) in OPS.items():
    torch.manual_seed(0)
    x = torch.randn(shape)
    out[f"shapes_{op}_fwd"] = median_us(lambda: fn(x))
    xg = x.clone().requires_grad_()
    g = torch.ones_like(fn(x))

    def fwd_bwd():
        xg.grad = None
        fn(xg).backward(g)
    out[f"shapes_{op}_fwd_bwd"] = median_us(fwd_bwd)
out["torch_threads"] = torch.get_num_threads()
json.dump(out, sys.stdout)
