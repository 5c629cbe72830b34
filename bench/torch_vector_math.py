#!/usr/bin/python3
"""PyTorch side of bench/bench_vector_math.cpp: exp/log/tanh/sigmoid over 1M float32 elements,
forward and forward+backward, median microseconds of process CPU time as JSON (compared with
Google Benchmark's cpu_time: on a shared machine wall time measures the other users' load)."""
import json
import sys
import time

import torch

from timing import median_us

N = 1 << 20


def inputs(op):
    torch.manual_seed(0)
    u = torch.rand(N)
    return u * 10.0 + 0.01 if op == "log" else u * 8.0 - 4.0


out = {}
g = torch.ones(N)
for op in ("exp", "log", "tanh", "sigmoid"):
    fn = getattr(torch, op)
    x = inputs(op)
    out[f"unary_{op}_fwd"] = median_us(lambda: fn(x), clock=time.process_time)
    xg = x.clone().requires_grad_()

    def fwd_bwd():
        xg.grad = None
        fn(xg).backward(g)
    out[f"unary_{op}_fwd_bwd"] = median_us(fwd_bwd, clock=time.process_time)
out["torch_threads"] = torch.get_num_threads()
json.dump(out, sys.stdout)
