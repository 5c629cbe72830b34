#!/usr/bin/python3
"""PyTorch side of bench/bench_cnn.cpp: LeNet-5's first convolution and training steps of
LeNet-5 and the CLI's CNN (forward, cross-entropy, backward, Adam) at batch 128 on random
Fashion-MNIST-shaped data. Prints one JSON object: {name: samples/s (train) or us (conv)},
timed in process CPU time like Google Benchmark's default.
usage: torch_cnn.py --threads N [--only train_lenet5|train_cnn|conv]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))))


def cnn():  # gf::train's "cnn" entry (src/train/recipe.cpp)
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25),
                         nn.Linear(128, 10))


def timed(fn, min_time=2.0):
    """Seconds per call in CPU time of this process (all its threads), as Google Benchmark's
    default: on a shared, overloaded machine wall time mostly measures the other users."""
    for _ in range(5):
        fn()
    n, start = 0, time.process_time()
    while time.process_time() - start < min_time:
        fn()
        n += 1
    return (time.process_time() - start) / n


def train(model):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.rand(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return BATCH / timed(step)


def conv():
    x, w, b = torch.randn(BATCH, 1, 28, 28), torch.randn(6, 1, 5, 5), torch.randn(6)
    with torch.no_grad():
        fwd = timed(lambda: F.conv2d(x, w, b, padding=2), 1.0)
    xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
    y = F.conv2d(xg, wg, padding=2)
    g = torch.randn_like(y)
    bwd = timed(lambda: torch.autograd.grad(y, (xg, wg), g, retain_graph=True), 1.0)
    return {"conv1_forward_us": fwd * 1e6, "conv1_backward_us": bwd * 1e6}


p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--only", default="")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
out = {}
if a.only in ("", "conv"):
    out.update(conv())
if a.only in ("", "train_lenet5"):
    out["train_lenet5"] = train(LeNet5())
if a.only in ("", "train_cnn"):
    out["train_cnn"] = train(cnn())
print(json.dumps(out))
