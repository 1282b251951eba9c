#!/usr/bin/env python3
"""Independent safetensors reader and writer for the tests (json + struct + torch only).

The format: 8-byte little-endian header length N, N bytes of JSON, then the data section.

  safetensors_reference.py read PATH    PATH is a .safetensors file or a directory holding
                                        model.safetensors.index.json; prints every tensor as JSON
  safetensors_reference.py write PATH   writes the fixed tensor set of `reference_tensors()`
"""
import json
import os
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
CODES = {v: k for k, v in DTYPES.items()}


def read_file(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = bytearray(blob[8 + n:])
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        shape = entry["shape"]
        count = 1
        for d in shape:
            count *= d
        if count == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(data, dtype=dtype, count=count, offset=begin).reshape(shape)
        assert end - begin == t.numel() * t.element_size(), name
        tensors[name] = t
    return metadata, tensors


def read(path):
    if os.path.isdir(path):
        with open(os.path.join(path, "model.safetensors.index.json")) as f:
            index = json.load(f)
        metadata, tensors = {}, {}
        for shard in sorted(set(index["weight_map"].values())):
            meta, part = read_file(os.path.join(path, shard))
            metadata.update(meta)
            tensors.update(part)
        assert set(tensors) == set(index["weight_map"]), "index and shards disagree"
    else:
        metadata, tensors = read_file(path)
    out = {"metadata": metadata, "tensors": {}}
    for name, t in tensors.items():
        flat = t.reshape(-1)
        values = flat.to(torch.int64).tolist() if t.dtype == torch.bool else (
            flat.tolist() if not t.is_floating_point() else flat.double().tolist())
        out["tensors"][name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "values": values}
    json.dump(out, sys.stdout)


def reference_tensors():
    """The tensors the C# test expects; it rebuilds the same values on its side."""
    return {
        "f32.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.25 - 1,
        "bf16.weight": (torch.arange(6, dtype=torch.float32) * 0.5).to(torch.bfloat16).reshape(2, 3),
        "f16.bias": torch.arange(5, dtype=torch.float32).to(torch.float16) * -1.5,
        "i64.steps": torch.arange(4, dtype=torch.int64) * 10**12,
        "i32.ids": torch.arange(7, dtype=torch.int32) - 3,
        "bool.mask": torch.arange(5) % 2 == 0,
        "u8.bytes": (torch.arange(10) * 25).to(torch.uint8),
        "f64.scalar": torch.tensor(3.25, dtype=torch.float64),
        "f32.empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def write(path):
    tensors = reference_tensors()
    # Data in reverse name order while the header lists names in order: readers must follow offsets.
    header, chunks, offset = {"__metadata__": {"format": "pt", "source": "python"}}, [], 0
    for name in sorted(tensors, reverse=True):
        raw = tensors[name].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() \
            if tensors[name].numel() else b""
        header[name] = {"dtype": CODES[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    ordered = {"__metadata__": header.pop("__metadata__")}
    ordered.update({k: header[k] for k in sorted(header)})
    text = json.dumps(ordered).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
