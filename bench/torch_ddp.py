"""PyTorch's side of bench/data_parallel.py: the same MLP step (784-256-128-10, Adam 1e-3,
global batch 128, 1 thread per process) in 1 process, and under DistributedDataParallel with the
gloo backend in 2 processes (each its half of the batch), plus gloo's all-reduce of 64 KiB,
1 MiB and 4 MiB. Prints JSON lines like bench_data_parallel.

usage: /usr/bin/python3 bench/torch_ddp.py WORLD [STEPS]
"""
import json
import os
import statistics
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def run(rank, world, steps, store, out):
    torch.set_num_threads(1)
    if world > 1:
        dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank,
                                world_size=world)
    torch.manual_seed(0)
    X, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    lines = []
    if world > 1:
        for nbytes in (64 << 10, 1 << 20, 4 << 20):
            t = torch.ones(nbytes // 4)
            times = []
            for i in range(60):
                dist.barrier()
                a = time.perf_counter()
                dist.all_reduce(t)
                b = time.perf_counter()
                if i >= 10:
                    times.append((b - a) * 1e6)
            m = torch.tensor([statistics.median(times)], dtype=torch.float64)
            dist.all_reduce(m, op=dist.ReduceOp.MAX)
            lines.append({"what": "allreduce", "ranks": world, "bytes": nbytes,
                          "us": round(m.item(), 1)})
    model = mlp()
    if world > 1:
        model = nn.parallel.DistributedDataParallel(model)
        n = 128 // world
        X, y = X[rank * n:(rank + 1) * n], y[rank * n:(rank + 1) * n]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    step_t = []
    for i in range(steps + 20):
        a = time.perf_counter()
        loss = F.cross_entropy(model(X), y)
        loss.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        b = time.perf_counter()
        if i >= 20:
            step_t.append((b - a) * 1e6)
    m = torch.tensor([sum(step_t), statistics.median(step_t)], dtype=torch.float64)
    if world > 1:
        dist.all_reduce(m, op=dist.ReduceOp.MAX)
    lines.append({"what": "mlp", "ranks": world, "samples_per_s": round(128 * steps / (m[0].item() * 1e-6)),
                  "step_us": round(m[1].item(), 1)})
    if rank == 0:
        with open(out, "w") as f:
            f.write("\n".join(json.dumps(l) for l in lines) + "\n")
    if world > 1:
        dist.destroy_process_group()


def main():
    world = int(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.TemporaryDirectory() as d:
        store, out = os.path.join(d, "store"), os.path.join(d, "out.json")
        if world == 1:
            run(0, 1, steps, store, out)
        else:
            # Both processes are on this host: gloo over loopback. Left to choose its interface
            # on the 2-vCPU VM of 2026-12-03 (lo plus eth0 192.0.2.2), gloo hung in the
            # rendezvous in 3 runs of 3 (100-120 s timeouts); over lo the same run took 3.6 s.
            os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
            mp.spawn(run, args=(world, steps, store, out), nprocs=world)
        sys.stdout.write(open(out).read())


if __name__ == "__main__":
    main()
