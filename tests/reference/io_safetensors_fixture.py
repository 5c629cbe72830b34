"""Writes tests/fixtures/reference.safetensors from torch tensors, by the safetensors format's rules
exactly as the reference library (huggingface/safetensors, src/tensor.rs `prepare`) lays a file
out: tensors sorted by dtype (descending alignment order of its Dtype enum: I64 > F64 > F32) then
by name; header = compact JSON {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets"}}
in that order, padded with spaces to a multiple of 8; u64 little-endian header length first; then
the raw little-endian data back to back. Debian has no python3-safetensors, so this is written by
hand with struct + json. Run with /usr/bin/python3 (Debian's torch); test_io checks the values
and that gradflow writes the same bytes.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "reference.safetensors")

tensors = {
    "weight": (torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4 - 0.5),  # F32 [2, 3]
    "bias": torch.tensor([0.1, -2.5, 1e-300], dtype=torch.float64),         # F64 [3]
    "labels": torch.tensor([0, 3, -7, 2**40], dtype=torch.int64),           # I64 [4]
    "scalar": torch.tensor(3.25, dtype=torch.float64),                      # F64 0-d
    "empty": torch.zeros(0, 4, dtype=torch.float32),                        # F32 [0, 4]
}
metadata = {"format": "pt", "gradflow_format_version": "1", "source": "io_safetensors_fixture"}

ST_DTYPE = {torch.float32: ("F32", "<f4", 0), torch.float64: ("F64", "<f8", 1),
            torch.int64: ("I64", "<i8", 2)}

order = sorted(tensors.items(), key=lambda kv: (-ST_DTYPE[kv[1].dtype][2], kv[0]))
header = {"__metadata__": dict(sorted(metadata.items()))}
data = b""
for name, t in order:
    code, np_dtype, _ = ST_DTYPE[t.dtype]
    raw = t.contiguous().numpy().astype(np_dtype).tobytes()
    header[name] = {"dtype": code, "shape": list(t.shape),
                    "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(OUT, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
print(OUT, 8 + len(text) + len(data), "bytes; order:", [n for n, _ in order])
