"""Exchange format between the PyTorch reference scripts and the C# parity tests.

Each tensor goes to <dir>/<name>.bin as raw little-endian elements (row-major); manifest.json maps
names to {"shape": [...], "dtype": "float32" | "int64"} and holds scalar results under "scalars".
"""
import json
import os

import torch


class ReferenceWriter:
    def __init__(self, directory):
        self.directory = directory
        self.tensors = {}
        self.scalars = {}
        os.makedirs(directory, exist_ok=True)

    def tensor(self, name, value):
        value = value.detach().contiguous().cpu()
        if value.dtype not in (torch.float32, torch.int64):
            raise ValueError(f"{name}: only float32 and int64 tensors are exchanged, got {value.dtype}")
        with open(os.path.join(self.directory, name + ".bin"), "wb") as f:
            f.write(value.numpy().astype(value.numpy().dtype.newbyteorder("<")).tobytes())
        self.tensors[name] = {"shape": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}

    def scalar(self, name, value):
        self.scalars[name] = float(value)

    def close(self):
        with open(os.path.join(self.directory, "manifest.json"), "w") as f:
            json.dump({"torch": torch.__version__, "tensors": self.tensors, "scalars": self.scalars}, f, indent=1)
