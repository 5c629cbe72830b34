"""Writes the tiny data-reader fixtures under tests/fixtures/ (run with /usr/bin/python3):
  idx-tiny/   a 4-file MNIST-layout data set (2x3 u8 images), two files gzipped;
  idx-types/  one small IDX file per element type (big-endian, as the format requires);
  tiny.csv    4 features + label with a header.
The values are simple formulas repeated in test_data.cpp, so the test checks decoding exactly.
The gzip files are written with mtime=0 so regeneration is byte-stable.
"""
import gzip
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def idx_bytes(array, type_code):
    head = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return head + array.astype(TYPES[type_code]).tobytes()


def write(path, data, compress=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if compress:
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


# idx-tiny: pixel (n, r, c) = (n * 6 + r * 3 + c) * 10 % 256; label n = n % 3.
def images(n):
    return np.array([[[(k * 6 + r * 3 + c) * 10 % 256 for c in range(3)] for r in range(2)]
                     for k in range(n)])


write(os.path.join(FIX, "idx-tiny", "train-images-idx3-ubyte.gz"), idx_bytes(images(6), 0x08), True)
write(os.path.join(FIX, "idx-tiny", "train-labels-idx1-ubyte"), idx_bytes(np.arange(6) % 3, 0x08))
write(os.path.join(FIX, "idx-tiny", "t10k-images-idx3-ubyte"), idx_bytes(images(3), 0x08))
write(os.path.join(FIX, "idx-tiny", "t10k-labels-idx1-ubyte.gz"), idx_bytes(np.arange(3) % 3, 0x08), True)

# idx-types: shape [2, 3], value i = -300.5 + 123.25 * i (cast to the type).
values = np.array([-300.5 + 123.25 * i for i in range(6)]).reshape(2, 3)
write(os.path.join(FIX, "idx-types", "i8.idx"), idx_bytes(np.array([-128, -1, 0, 1, 127, 5]).reshape(2, 3), 0x09))
write(os.path.join(FIX, "idx-types", "i16.idx"), idx_bytes(np.trunc(values).astype(np.int16), 0x0B))
write(os.path.join(FIX, "idx-types", "i32.idx"), idx_bytes((values * 1000).astype(np.int32), 0x0C))
write(os.path.join(FIX, "idx-types", "f32.idx"), idx_bytes(values, 0x0D))
write(os.path.join(FIX, "idx-types", "f64.idx.gz"), idx_bytes(values, 0x0E), True)

with open(os.path.join(FIX, "tiny.csv"), "w") as f:
    f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
    f.write("5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n4.9,3.0,1.4,0.2,0\n")
print("wrote fixtures under", os.path.normpath(FIX))
