"""Reads a safetensors file written by gradflow with torch.frombuffer (no safetensors package
needed) and checks it against the format's rules: header length, 8-byte padding, offsets
contiguous from 0 to the end of the file, byte counts matching dtype x shape. Prints each tensor.
Usage: /usr/bin/python3 tests/reference/io_safetensors_torch_check.py FILE.safetensors
(optional manual interop check; the unit tests are Python-free)."""
import json
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I64": (torch.int64, 8)}

raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert n % 8 == 0, "header not padded to 8 bytes"
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
meta = header.pop("__metadata__", {})
print("metadata:", meta)
end = 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    begin, stop = info["data_offsets"]
    assert begin == end, f"{name}: gap or overlap"
    dtype, size = DTYPES[info["dtype"]]
    count = 1
    for d in info["shape"]:
        count *= d
    assert stop - begin == count * size, f"{name}: size mismatch"
    t = torch.frombuffer(bytearray(data[begin:stop]), dtype=dtype) if count else torch.empty(0, dtype=dtype)
    print(name, tuple(info["shape"]), t.reshape(info["shape"]))
    end = stop
assert end == len(data), "data section not fully covered"
print("ok")
