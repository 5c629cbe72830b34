#!/usr/bin/python3
"""PyTorch side of bench/bench_engine.cpp: the same workloads, median microseconds as JSON."""
import json
import sys
import time

import torch
import torch.autograd.functional as AF

from timing import median_us as wall_median_us


def median_us(fn):
    # process CPU time, compared with Google Benchmark's cpu_time (see report.py)
    return wall_median_us(fn, clock=time.process_time)


def chain_1000():
    c = torch.tensor(1.0001, dtype=torch.float64)
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x
    for i in range(1000):
        y = y * c if i % 2 else y + c
    y.backward()


torch.manual_seed(0)
xj = torch.randn(100, dtype=torch.float64)
xh = torch.randn(10, dtype=torch.float64)
a = torch.randn(128, 784, requires_grad=True)
b = torch.randn(784, 256, requires_grad=True)
g = torch.ones(128, 256)


def matmul_fwd_bwd():
    a.grad = None
    b.grad = None
    (a @ b).backward(g)


def tiny_step(batch):
    torch.manual_seed(0)
    X = torch.randn(batch, 5, dtype=torch.float64)
    y = torch.randint(0, 3, (batch,))
    model = torch.nn.Linear(5, 3).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
    return step


out = {
    "tiny_full_batch_step": median_us(tiny_step(85)),
    "tiny_per_sample_step": median_us(tiny_step(1)),
    "chain_1000": median_us(chain_1000),
    "jacobian_softmax_100": median_us(lambda: AF.jacobian(lambda t: torch.softmax(t, 0), xj)),
    "hessian_softmax_sq_10": median_us(
        lambda: AF.hessian(lambda t: (torch.softmax(t, 0) ** 2).sum(), xh)),
    "matmul_fwd_bwd": median_us(matmul_fwd_bwd),
    "torch_version": torch.__version__,
    "torch_threads": torch.get_num_threads(),
}
json.dump(out, sys.stdout)
