#!/usr/bin/python3
"""The idiomatic PyTorch training loop that `gradflow train` is compared with (bench/train_compare.py).

Fashion-MNIST from Debian's IDX files, inputs scaled to [0,1], data in memory, MLP
784-256-128-10 with ReLU (or softmax regression 784-10), cross-entropy, batch 128.
Prints one JSON line: samples/s over the training loop, test accuracy.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DIR}/{name}", "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


p = argparse.ArgumentParser()
p.add_argument("--model", default="mlp")
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--optimizer", default="sgd")
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

Xtr = torch.from_numpy(idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
Xte = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))

if a.model == "mlp":
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
else:
    model = torch.nn.Linear(784, 10)
if a.optimizer == "sgd":
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
else:
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
loss_fn = torch.nn.CrossEntropyLoss()

n, bs, seconds = Xtr.shape[0], 128, 0.0
for epoch in range(a.epochs):
    perm = torch.randperm(n)
    start = time.perf_counter()
    for i in range(0, n, bs):
        idx_b = perm[i:i + bs]
        xb, yb = Xtr[idx_b], ytr[idx_b]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    seconds += time.perf_counter() - start
with torch.no_grad():
    acc = (model(Xte).argmax(1) == yte).float().mean().item()
print(json.dumps({"samples_per_s": n * a.epochs / seconds, "test_accuracy": acc,
                  "threads": torch.get_num_threads()}))
