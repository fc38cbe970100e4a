"""Writes the scanning-benchmark inputs (run with Debian's /usr/bin/python3, which has torch).

usage: make-scan-files.py <dir>   -- skips files that already exist with a plausible size.
Only writes data; never loads any pickle.
"""
import os
import struct
import sys

import torch

GiB = 1024**3


def tensors(total_bytes, count=16):
    per = total_bytes // count // 4  # float32 elements per tensor
    return {f"layer{i}.weight": torch.zeros(per, dtype=torch.float32) for i in range(count)}


def make_torch(path, legacy, size=GiB):
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    torch.save(tensors(size), path + ".tmp", _use_new_zipfile_serialization=not legacy)
    os.replace(path + ".tmp", path)


def make_small_opcode_pickle(path, target=200 * 1000**2):
    """Protocol 4, one list filled by MARK ... APPENDS batches of small ints, short strings and floats (no memo)."""
    if os.path.exists(path) and os.path.getsize(path) >= target:
        return
    block = bytearray(b"(")  # MARK
    for i in range(400):
        block += b"J" + struct.pack("<i", 100000 + i)  # BININT
        block += b"\x8c\x04" + b"ab%02d" % (i % 100)  # SHORT_BINUNICODE
        block += b"G" + struct.pack(">d", i / 7)  # BINFLOAT
    block += b"e"  # APPENDS
    with open(path + ".tmp", "wb") as f:
        f.write(b"\x80\x04]")  # PROTO 4, EMPTY_LIST
        written = 3
        while written < target:
            f.write(block)
            written += len(block)
        f.write(b".")  # STOP
    os.replace(path + ".tmp", path)


def make_compressed(out, size=64 * 1000**2):
    """The small-opcode pickle's first `size` bytes wrapped as a complete pickle, compressed the way joblib's
    'bz2' and 'lzma' compressors write it (bz2 stream, LZMA-alone): the decoder is what is measured."""
    import bz2
    import lzma

    for name, compress in (("opcodes-64m.pkl.bz2", bz2.compress), ("opcodes-64m.pkl.lzma", None)):
        path = os.path.join(out, name)
        if os.path.exists(path):
            continue
        with open(os.path.join(out, "small-opcodes-200m.pkl"), "rb") as f:
            body = f.read(size)
        cut = body.rfind(b"e") + 1  # end after a whole APPENDS batch
        data = body[:cut] + b"."
        packed = compress(data) if compress else lzma.compress(data, format=lzma.FORMAT_ALONE)
        with open(path + ".tmp", "wb") as f:
            f.write(packed)
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    make_torch(os.path.join(out, "legacy-1g.pt"), legacy=True)
    make_torch(os.path.join(out, "zip-1g.pt"), legacy=False)
    # The CLI benchmark's checkpoint: 512 MiB of float32 tensors (stored, not compressed, in the zip).
    make_torch(os.path.join(out, "zip-512m.pt"), legacy=False, size=GiB // 2)
    make_small_opcode_pickle(os.path.join(out, "small-opcodes-200m.pkl"))
    make_compressed(out)
