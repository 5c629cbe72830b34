#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus: tests/fuzz/corpus/<target>/<name>, valid small files and
hand-made broken ones. Input formats (mode bytes) are described in fuzz/harness.hpp.
Run from anywhere: /usr/bin/python3 fuzz/make_corpus.py"""
import gzip
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- IDX: byte 0 = mode (0 raw, 1 gzip, 2 gzip + raw tail, 3 two gzip members) ----------
def idx(type_byte, dims, payload):
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


u8 = idx(0x08, [2, 3], bytes(range(6)))
i8 = idx(0x09, [4], bytes([0x80, 0xFF, 0, 0x7F]))
i16 = idx(0x0B, [2], struct.pack(">hh", -2, 300))
i32 = idx(0x0C, [1, 2], struct.pack(">ii", -70000, 5))
f32 = idx(0x0D, [3], struct.pack(">fff", 1.5, -0.0, float("nan")))
f64 = idx(0x0E, [2, 1], struct.pack(">dd", 3.25, float("inf")))
labels = idx(0x08, [5], bytes([0, 1, 2, 9, 3]))
images = idx(0x08, [2, 2, 2], bytes([0, 255, 128, 7, 1, 2, 3, 4]))
for name, f in [("u8", u8), ("i8", i8), ("i16", i16), ("i32", i32), ("f32", f32), ("f64", f64),
                ("labels", labels), ("images", images)]:
    put("idx", name, b"\0" + f)
    put("idx", name + "-gz", b"\1" + f)
put("idx", "u8-rawgz", b"\0" + gzip.compress(u8))
put("idx", "trailing-after-gz", b"\2" + u8 + u8)
put("idx", "two-members", b"\3" + u8 + u8)
put("idx", "empty", b"\0")
put("idx", "bad-magic", b"\0" + b"\1\2\x08\1" + b"\0\0\0\1x")
put("idx", "bad-type", b"\0" + idx(0x07, [1], b"x"))
put("idx", "zero-dims", b"\0" + bytes([0, 0, 8, 0]))
put("idx", "many-dims", b"\0" + bytes([0, 0, 8, 255]) + b"\0\0\0\1" * 8)
put("idx", "truncated-dims", b"\0" + bytes([0, 0, 8, 3]) + b"\0\0\0\2")
put("idx", "truncated-data", b"\0" + idx(0x0C, [4], b"\0" * 10))
put("idx", "trailing-data", b"\0" + idx(0x08, [2], b"abc"))
put("idx", "huge-dims", b"\0" + idx(0x0E, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""))
put("idx", "huge-dims-gz", b"\1" + idx(0x08, [0x7FFFFFFF, 0x10000], b"\0" * 16))
put("idx", "zero-size", b"\0" + idx(0x08, [0, 5], b""))
put("idx", "gz-corrupt", b"\0" + gzip.compress(u8)[:-6] + b"\xde\xad\xbe\xef\0\0")
put("idx", "gz-truncated", b"\0" + gzip.compress(f64)[:15])

# ---- CSV: byte 0 = options (see harness.hpp); 0 = last column label, auto header, ',' -----
put("csv", "iris", b"\0" + b"sepal_length,sepal_width,label\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,2\n")
put("csv", "no-header", b"\0" + b"1,2,0\n3,4,1\n\n5,6,1\n")
put("csv", "label-first", b"\1" + b"y,a,b\n0,1.5,2\n1,-3e2,4\n")
put("csv", "no-labels", b"\4" + b"1,2,3\n4,5,6\n")
put("csv", "semicolon", bytes([1 << 5]) + b"a;b;c\n1;2;0\n")
put("csv", "tab-f64", bytes([(2 << 5) | 128]) + b"1\t2\t0\r\n3\t4\t1\r\n")
put("csv", "quoted", b"\0" + b"\"a\",\"b\",\"label\"\n\" 1 \",\"2\",\"0\"\n")
put("csv", "header-present", bytes([1 << 3]) + b"1,2,0\n3,4,1\n")
put("csv", "header-absent", bytes([2 << 3]) + b"x,y,z\n")
put("csv", "nan", b"\0" + b"a,b,label\n1,nan,0\n2,3,1\n")
put("csv", "inf", b"\0" + b"1,inf,0\n-1e999,3,1\n")
put("csv", "ragged", b"\0" + b"1,2,0\n3,1\n")
put("csv", "bad-label", b"\0" + b"1,2,1.5\n3,4,-1\n")
put("csv", "huge-label", b"\0" + b"1,2,99999999999999999999\n1,2,9223372036854775807\n")
put("csv", "not-number", b"\0" + b"1,abc,0\n")
put("csv", "empty", b"\0")
put("csv", "only-header", b"\0" + b"a,b,c\n")
put("csv", "blank", b"\0" + b"\n\n  \n")
put("csv", "single-column", b"\0" + b"0\n1\n2\n")
put("csv", "hex-and-spaces", b"\0" + b" 0x1p3 , 1e-5 , 0 \n")
put("csv", "nul-bytes", b"\0" + b"1,\x002,0\n")

# ---- safetensors ----------------------------------------------------------------------------
def st(header, data=b"", pad=True, length=None):
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    n = len(h) if length is None else length
    return struct.pack("<Q", n) + h + data


meta = {"__metadata__": {"format": "pt"}}
ok = st({**meta, "b": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
         "a": {"dtype": "F64", "shape": [1], "data_offsets": [16, 24]},
         "w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [24, 40]}},
        struct.pack("<qq", -1, 7) + struct.pack("<d", 2.5) + struct.pack("<ffff", 1, 2, 3, 4))
put("safetensors", "valid", ok)
put("safetensors", "scalar", st({"s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}},
                                struct.pack("<f", 1.0)))
put("safetensors", "empty-tensor", st({"e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]}}))
put("safetensors", "no-tensors", st(meta))
put("safetensors", "empty-file", b"")
put("safetensors", "short-length", b"\x08\0\0")
put("safetensors", "length-past-end", st(meta, length=1 << 40))
put("safetensors", "length-max", b"\xff" * 8 + b"{}")
put("safetensors", "bad-json", struct.pack("<Q", 8) + b"{\"a\":[1,")
put("safetensors", "not-object", st([1, 2, 3]))
put("safetensors", "bad-dtype", st({"x": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0\0"))
put("safetensors", "negative-shape", st({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "overflow-shape", st({"x": {"dtype": "F64", "shape": [4294967296, 4294967296, 16],
                                               "data_offsets": [0, 8]}}, b"\0" * 8))
put("safetensors", "overflow-offsets", st({"x": {"dtype": "F32", "shape": [1],
                                                 "data_offsets": [18446744073709551612, 0]}}, b"\0" * 4))
put("safetensors", "offsets-gap", st({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8))
put("safetensors", "offsets-overlap", st({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                                          "y": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "size-mismatch", st({"x": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}, b"\0" * 12))
put("safetensors", "trailing-data", st({"x": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 12))
put("safetensors", "missing-fields", st({"x": {"dtype": "F32"}}))
put("safetensors", "float-offsets", st({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0.0, 4.5]}}, b"\0" * 4))
put("safetensors", "deep-json", struct.pack("<Q", 4000) + b"[" * 2000 + b"]" * 2000)
put("safetensors", "metadata-not-string", st({"__metadata__": {"format": 1}}))
put("safetensors", "empty-name", st({"": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "many-dims", st({"x": {"dtype": "F32", "shape": [1] * 9, "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "gradflow-version-2", st({"__metadata__": {"gradflow_format_version": "2"}}))
with open(os.path.join(ROOT, "tests", "fixtures", "reference.safetensors"), "rb") as f:
    put("safetensors", "torch-reference", f.read())

# ---- the command line: arguments separated by NUL ---------------------------------------------
def args(*a):
    return b"\0".join(x.encode() for x in a)


put("cli", "help", args("--help"))
put("cli", "train-help", args("train", "--help"))
put("cli", "train-full", args("train", "--data", "synthetic", "--model", "mlp", "--hidden", "32,16",
                              "--epochs", "3", "--batch-size", "64", "--lr", "0.05", "--optimizer",
                              "sgd", "--momentum", "0.9", "--schedule", "none", "--seed", "7",
                              "--dtype", "float64", "--valid-fraction", "0.2", "--threads", "1",
                              "--out", "/tmp/x", "--resume", "--no-plots"))
put("cli", "train-softmax", args("train", "--model", "softmax", "--hidden", "", "--optimizer", "adamw"))
put("cli", "train-bad-hidden", args("train", "--hidden", "32,,0,-1,9999999999999999999"))
put("cli", "train-bad-range", args("train", "--epochs", "0", "--lr", "-1", "--momentum", "nan"))
put("cli", "train-resume-differs", args("train", "--resume", "--batch-size", "7", "--data", "csv:x.csv"))
put("cli", "eval", args("eval", "--checkpoint", "runs/train/best.safetensors", "--data", "synthetic"))
put("cli", "predict", args("predict", "--checkpoint", "c.safetensors", "--input", "x.csv"))
put("cli", "graph", args("graph", "--expr", "(x+y)*z", "--values", "x=-2,y=5,z=-4", "--model", "mlp"))
put("cli", "plot", args("plot", "--functions", "sigmoid,tanh,relu", "--derivatives"))
put("cli", "demo", args("demo", "--unknown"))
put("cli", "no-subcommand", b"")
put("cli", "two-subcommands", args("demo", "train"))
print("corpus written to", OUT)
