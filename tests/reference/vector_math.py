#!/usr/bin/python3
"""Golden values for tests/test_vector_math.cpp: PyTorch 1.13's CPU results (Debian's python3-torch)
for the vectorised functions of src/kernels/vmath.hpp, at lengths that exercise every tail
(whole vectors, a zero-padded last vector, sigmoid's scalar tail). The test compares bits.
Run: /usr/bin/python3 tests/reference/vector_math.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
torch.set_num_threads(1)


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


# fn -> (torch function, input range, edge values mixed into the first elements)
FNS = {
    "exp": (torch.exp, (-12.0, 12.0), [0.0, -0.0, 100.0, -100.0, 88.5, -103.0]),
    "log": (torch.log, (1e-4, 50.0), [1.0, 0.0, 1e-30, 3e38]),
    "log1p": (torch.log1p, (-0.99, 50.0), [0.0, -1.0, 1e-8, -1e-8]),
    "expm1": (torch.expm1, (-12.0, 12.0), [0.0, 1e-8, -1e-8, 100.0, -100.0]),
    "tanh": (torch.tanh, (-6.0, 6.0), [0.0, 1e-8, 20.0, -20.0]),
    "sigmoid": (torch.sigmoid, (-20.0, 20.0), [0.0, 100.0, -100.0, -200.0]),
    "erf": (torch.erf, (-4.0, 4.0), [0.0, 1e-8, 6.0, -6.0]),
    "sin": (torch.sin, (-10.0, 10.0), [0.0, 1e-8, 100.0, -1e4]),
    "cos": (torch.cos, (-10.0, 10.0), [0.0, 1e-8, 100.0, -1e4]),
    "tan": (torch.tan, (-1.5, 1.5), [0.0, 1e-8, 1.5707963, -3.0]),
    "asin": (torch.asin, (-1.0, 1.0), [0.0, 1.0, -1.0, 1.5]),
    "acos": (torch.acos, (-1.0, 1.0), [0.0, 1.0, -1.0, 1.5]),
    "atan": (torch.atan, (-10.0, 10.0), [0.0, 1e-8, 1e10, -1e10]),
    "log2": (torch.log2, (1e-4, 50.0), [1.0, 0.0, 1e-30, 3e38]),
    "log10": (torch.log10, (1e-4, 50.0), [1.0, 0.0, 1e-30, 3e38]),
    "erfc": (torch.erfc, (-4.0, 8.5), [0.0, 1e-8, 9.0, -6.0]),  # no float32 denormals: the libm fallback is compared to 2 ulp
}
LENGTHS = [1, 5, 16, 21, 40, 103]
DT = {torch.float32: "float32", torch.float64: "float64"}

cases = []
for name, (fn, (lo, hi), edges) in FNS.items():
    for dtype in (torch.float32, torch.float64):
        for n in LENGTHS:
            x = lo + (hi - lo) * torch.rand(n, dtype=torch.float64)
            k = min(n, len(edges)) if n > 16 else 0  # keep short cases plain
            x[:k] = torch.tensor(edges[:k], dtype=torch.float64)
            x = x.to(dtype)
            y = fn(x)
            cases.append({"fn": name, "dtype": DT[dtype], "input": [num(v) for v in x.tolist()],
                          "output": [num(v) for v in y.tolist()]})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vector_math.json")
with open(out, "w") as f:
    json.dump({"generator": "tests/reference/vector_math.py", "torch": torch.__version__,
               "cases": cases}, f, separators=(",", ":"))
