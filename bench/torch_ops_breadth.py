#!/usr/bin/python3
"""PyTorch side of bench/bench_ops_breadth.cpp: one op per family at 1M float32 elements,
forward and forward+backward, median CPU microseconds as JSON."""
import json
import sys
import time

import torch
import torch.nn.functional as F

from timing import median_us

N = 1 << 20
OPS = {
    "sin": lambda x, y: torch.sin(x),
    "floor": lambda x, y: torch.floor(x),
    "gelu": lambda x, y: F.gelu(x),
    "leaky_relu": lambda x, y: F.leaky_relu(x),
    "atan2": torch.atan2,
    "bitwise_and": torch.bitwise_and,
    "lt": torch.lt,
}

out = {}
g = torch.ones(N)
for op, fn in OPS.items():
    torch.manual_seed(0)
    x, y = torch.rand(N) * 8.0 - 4.0, torch.rand(N) * 8.0 - 4.0
    if op == "bitwise_and":
        x, y = (x * 1000.0).to(torch.int32), (y * 1000.0).to(torch.int32)
    out[f"breadth_{op}_fwd"] = median_us(lambda: fn(x, y), clock=time.process_time)
    if op in ("bitwise_and", "lt"):
        continue
    xg = x.clone().requires_grad_()

    def fwd_bwd():
        xg.grad = None
        fn(xg, y).backward(g)
    out[f"breadth_{op}_fwd_bwd"] = median_us(fwd_bwd, clock=time.process_time)
out["torch_threads"] = torch.get_num_threads()
json.dump(out, sys.stdout)
