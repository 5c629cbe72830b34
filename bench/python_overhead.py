#!/usr/bin/python3
"""Python call overhead per small op (issue 14): the engine benchmark's chain of 1,000 add/mul
on 0-d float64 tensors, forward + backward, driven from Python — gradflow's binding and PyTorch
in the same process, same run. Prints JSON with median microseconds per chain.

usage: PYTHONPATH=build/python bench/python_overhead.py
"""
import json
import sys

import torch

import gradflow as gf
from timing import median_us


def chain(lib):
    c = lib.tensor(1.0001, dtype=lib.float64)

    def run():
        x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
        y = x
        for i in range(1000):
            y = y * c if i % 2 else y + c
        y.backward()
    return run


def main():
    gf.set_num_threads(1)
    torch.set_num_threads(1)
    out = {"torch_version": torch.__version__, "python": sys.version.split()[0]}
    # Interleave the two sides so drifting load on the shared machine hits both alike.
    g, t = [], []
    for _ in range(3):
        g.append(median_us(chain(gf)))
        t.append(median_us(chain(torch)))
    out["chain_1000_python_gradflow"] = sorted(g)[1]
    out["chain_1000_python_torch"] = sorted(t)[1]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
