#!/usr/bin/python3
"""Fixtures for gf::models (tests/test_models.cpp), from Debian's python3-torch 1.13 and
python3-torchvision:

- tests/fixtures/lenet5.safetensors: the state_dict of a torch LeNet-5 (the architecture of
  gf::models::LeNet5) seeded with torch.manual_seed(0), written as safetensors by hand (Debian
  has no python3-safetensors; same layout rules as io_safetensors_fixture.py);
- tests/reference/models.json: LeNet-5's input and torch's logits for it; torchvision AlexNet's
  named_parameters (names, shapes) and printed form; AlexNet logits for weights and an input made
  by an integer formula both sides can compute exactly (torchvision's real weights are 233 MB),
  at num_classes=10, eval mode, on a 1x3x63x63 input.
Run: /usr/bin/python3 tests/reference/models_fixture.py
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def save_safetensors(path, tensors):
    """F32 tensors only: sorted by name, header padded to 8 bytes (safetensors' layout)."""
    header = {"__metadata__": {"format": "pt"}}
    data = b""
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def formula(numel, k, bound):
    """value[i] = bound * (((i * 7919 + k * 104729) % 2001) / 1000 - 1), in float64 -> float32."""
    i = torch.arange(numel, dtype=torch.int64)
    return (bound * (((i * 7919 + k * 104729) % 2001).double() / 1000 - 1)).float()


torch.manual_seed(0)
lenet = LeNet5().eval()
save_safetensors(os.path.join(HERE, "..", "fixtures", "lenet5.safetensors"), lenet.state_dict())
x = torch.rand(2, 1, 28, 28)
with torch.no_grad():
    lenet_logits = lenet(x)

alexnet = torchvision.models.alexnet(num_classes=10).eval()
with torch.no_grad():
    for k, (name, p) in enumerate(alexnet.named_parameters()):
        bound = 1 / (p[0].numel() ** 0.5) if p.dim() > 1 else 0.05
        p.copy_(formula(p.numel(), k, bound).reshape(p.shape))
    ax = formula(3 * 63 * 63, 1000, 1.0).reshape(1, 3, 63, 63)
    alexnet_logits = alexnet(ax)

out = {
    "torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
    "lenet5": {"input": {"shape": list(x.shape), "values": x.reshape(-1).tolist()},
               "logits": {"shape": list(lenet_logits.shape),
                          "values": lenet_logits.reshape(-1).tolist()},
               "repr": str(lenet)},
    "alexnet": {"named_parameters": [[n, list(p.shape)] for n, p in alexnet.named_parameters()],
                "named_parameters_1000": [[n, list(p.shape)] for n, p in
                                          torchvision.models.alexnet().named_parameters()],
                "repr": str(torchvision.models.alexnet()),
                "logits": alexnet_logits.reshape(-1).tolist()},
}
with open(os.path.join(HERE, "models.json"), "w") as f:
    json.dump(out, f, indent=0)
print("wrote tests/fixtures/lenet5.safetensors and tests/reference/models.json")
