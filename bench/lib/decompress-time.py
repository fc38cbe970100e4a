"""Times CPython's own bz2/lzma decompression of a file (no unpickling). Prints JSON {bytes, seconds}."""
import bz2
import json
import lzma
import sys
import time

with open(sys.argv[1], "rb") as f:
    data = f.read()
t0 = time.perf_counter()
out = bz2.decompress(data) if sys.argv[1].endswith(".bz2") else lzma.decompress(data, format=lzma.FORMAT_ALONE)
print(json.dumps({"bytes": len(out), "seconds": time.perf_counter() - t0}))
