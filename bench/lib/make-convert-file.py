"""Writes the conversion-benchmark input (run with Debian's /usr/bin/python3, which has torch).

usage: make-convert-file.py <path>   -- a 2 GiB zip checkpoint: 16 float32 tensors of 128 MiB, random values.
Skips the file when it already exists with a plausible size. Only writes data; never loads any pickle.
"""
import os
import sys

import torch

GiB = 1024**3

if __name__ == "__main__":
    path = sys.argv[1]
    if not (os.path.exists(path) and os.path.getsize(path) >= 2 * GiB):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        per = 2 * GiB // 16 // 4
        generator = torch.Generator().manual_seed(18)
        state = {f"layers.{i}.weight": torch.rand(per, generator=generator) for i in range(16)}
        torch.save(state, path + ".tmp")
        os.replace(path + ".tmp", path)
