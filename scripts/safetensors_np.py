"""Reads the safetensors files that Imprint's benchmarks hand to their Python reference scripts.

read(path) -> (tensors, metadata): tensors maps each name to a read-only numpy array (F64 or F32, C order,
little-endian), metadata is the "__metadata__" string map ({} when absent). Format: an 8-byte little-endian
header length N, N bytes of JSON, then the data buffer addressed by each entry's "data_offsets".
"""
import json
import struct

import numpy as np

_DTYPES = {"F64": np.float64, "F32": np.float32}


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    buf = raw[8 + n:]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        tensors[name] = np.frombuffer(buf[start:end], dtype=_DTYPES[spec["dtype"]]).reshape(spec["shape"])
    return tensors, header.get("__metadata__", {})
