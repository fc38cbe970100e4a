"""Counts opcodes of a pickle with pickletools.genops (a disassembler: it never executes the pickle).
Prints JSON {opcodes, seconds}."""
import json
import pickletools
import sys
import time

t0 = time.perf_counter()
n = 0
with open(sys.argv[1], "rb") as f:
    for _ in pickletools.genops(f):
        n += 1
print(json.dumps({"opcodes": n, "seconds": time.perf_counter() - t0}))
