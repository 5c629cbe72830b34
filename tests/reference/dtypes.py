#!/usr/bin/python3
"""Golden values for tests/test_dtypes.cpp from PyTorch 1.13 (Debian's python3-torch): the
torch.result_type table over bool/uint8/int32/int64/float32/float64 for dimensioned and 0-d
operands, printed forms, value conversions between dtypes, and the dtype of op results.
Run: /usr/bin/python3 tests/reference/dtypes.py
"""
import json
import math
import os

import torch

DT = {"bool": torch.bool, "uint8": torch.uint8, "int32": torch.int32, "int64": torch.int64,
      "float32": torch.float32, "float64": torch.float64}
NAME = {v: k for k, v in DT.items()}


def num(v):
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


promotion = []
for a in DT:
    for b in DT:
        for a0 in (False, True):
            for b0 in (False, True):
                x = torch.zeros(() if a0 else (2,), dtype=DT[a])
                y = torch.zeros(() if b0 else (2,), dtype=DT[b])
                promotion.append({"a": a, "a_0d": a0, "b": b, "b_0d": b0,
                                  "result": NAME[torch.result_type(x, y)]})

printing = []
def show(label, t):
    printing.append({"label": label, "text": repr(t)})

show("bool 1-d", torch.tensor([True, False, True]))
show("bool 2-d", torch.tensor([[True], [False]]))
show("bool 0-d", torch.tensor(False))
show("bool empty", torch.zeros(0, dtype=torch.bool))
show("int64 empty", torch.zeros(0, dtype=torch.int64))
show("uint8", torch.tensor([1, 2, 255], dtype=torch.uint8))
show("int32", torch.tensor([1, -2, 30], dtype=torch.int32))
show("int32 0-d", torch.tensor(7, dtype=torch.int32))
show("float64", torch.tensor([0.5, 1.0], dtype=torch.float64))

conversions = []
src = [-300.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 127.0, 255.0, 256.0, 300.7]
for d in DT:
    conversions.append({"from": "float64", "to": d, "input": src,
                        "output": [num(v) for v in torch.tensor(src, dtype=torch.float64).to(DT[d]).tolist()]})
src_int = [-3, -1, 0, 1, 2, 200, 255, 256, 70000]
for d in DT:
    conversions.append({"from": "int64", "to": d, "input": src_int,
                        "output": [num(v) for v in torch.tensor(src_int).to(DT[d]).tolist()]})
conversions.append({"from": "float64", "to": "bool", "input": ["nan", "inf", -0.0],
                    "output": [num(v) for v in torch.tensor([math.nan, math.inf, -0.0]).to(torch.bool).tolist()]})

# Arithmetic in small integer dtypes wraps like C (uint8 200 + 100 = 44).
arith = []
def case(op, a, da, b, db, fn):
    x = torch.tensor(a, dtype=DT[da])
    y = torch.tensor(b, dtype=DT[db])
    r = fn(x, y)
    arith.append({"op": op, "a": a, "a_dtype": da, "b": b, "b_dtype": db,
                  "dtype": NAME[r.dtype], "shape": list(r.shape),
                  "values": [num(v) for v in r.flatten().tolist()]})

case("add", [200, 100], "uint8", [100, 100], "uint8", torch.add)
case("mul", [3, 100], "uint8", 7, "int64", torch.mul)
case("add", [1, 2], "int32", 5, "int64", torch.add)
case("add", [1, 2], "int32", [5, 6], "int64", torch.add)
case("add", [True, False], "bool", [True, True], "bool", torch.add)
case("mul", [True, False], "bool", [True, True], "bool", torch.mul)
case("add", [True, False], "bool", 3, "int64", torch.add)
case("div", [1, 2], "int32", [2, 4], "int32", torch.div)
case("add", [1, 2], "uint8", 0.5, "float64", torch.add)
case("mul", [1.5, 2], "float32", 2.0, "float64", torch.mul)
case("sub", [1, 2], "uint8", [3, 1], "uint8", torch.sub)
case("eq", [1, 2], "int32", [1.0, 2.5], "float64", torch.eq)
case("lt", [1, 200], "uint8", 100, "int64", torch.lt)
case("where", [True, False], "bool", [0, 0], "int32",
     lambda c, z: torch.where(c, torch.tensor([1, 2], dtype=torch.int32), torch.tensor([10.0, 20.0])))
case("sum", [True, True, False], "bool", 0, "int64", lambda x, _: x.sum())
case("sum", [200, 100], "uint8", 0, "int64", lambda x, _: x.sum())
case("sum", [1, 2], "int32", 0, "int64", lambda x, _: x.sum(0))

errors = {}
try:
    torch.tensor([1, 2]).requires_grad_()
except RuntimeError as e:
    errors["requires_grad"] = str(e)
try:
    torch.where(torch.tensor([1, 0]), torch.ones(2), torch.zeros(2))
except RuntimeError as e:
    errors["where"] = str(e)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dtypes.json")
with open(out, "w") as f:
    json.dump({"torch_version": torch.__version__, "promotion": promotion, "printing": printing,
               "conversions": conversions, "arithmetic": arith, "errors": errors}, f, indent=1)
print("wrote", out)
