#!/usr/bin/env python3
"""Cross-checks facever's safetensors files with the reference implementation (PyPI `safetensors`).

  check_safetensors_interop.py read FILE    prints {"metadata": {...}, "tensors": {name: {"shape", "dtype", "values"}}}
                                            for a file facever wrote, as loaded by safetensors.numpy
  check_safetensors_interop.py write FILE   writes a file with safetensors.numpy.save_file for facever to read:
                                            "a.weight" = arange(24).reshape(2,3,4)/8 - 1, "b.bias" = [0.5, -0.25, 3e-8],
                                            metadata {"writer": "python-safetensors"}

The Swift test SafetensorsInteropTests runs both directions; run it by hand with `swift test --filter Interop`.
Needs: python3 -m pip install safetensors numpy
"""
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def read(path):
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as handle:
        metadata = handle.metadata() or {}
    summary = {
        name: {"shape": list(array.shape), "dtype": str(array.dtype), "values": array.reshape(-1).tolist()}
        for name, array in tensors.items()
    }
    print(json.dumps({"metadata": metadata, "tensors": summary}))


def write(path):
    tensors = {
        "a.weight": (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8 - 1).astype(np.float32),
        "b.bias": np.array([0.5, -0.25, 3e-8], dtype=np.float32),
    }
    save_file(tensors, path, metadata={"writer": "python-safetensors"})


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        sys.exit(__doc__)
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
