import { randomFillSync } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Writes `size` random bytes to `path` unless a file of exactly that size is already there. */
export function ensureRandomFile(path, size) {
  if (existsSync(path) && statSync(path).size === size) return path;
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const block = new Uint8Array(Math.min(size, 16 * MiB));
  try {
    for (let written = 0; written < size;) {
      const n = Math.min(block.length, size - written);
      randomFillSync(block, 0, n);
      written += writeSync(fd, block, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * The hashing workload: one 2 GiB file, two 1 GiB files, 1,000 files of 64 KiB, 10,000 files of 4 KiB (for the
 * main thread, not throughput) and one 512 MiB file (offline against online).
 */
export function ensureHashFiles(workDir) {
  const big = ensureRandomFile(join(workDir, 'one-2g.bin'), 2 * GiB);
  const pair = [0, 1].map((i) => ensureRandomFile(join(workDir, `pair-1g-${i}.bin`), GiB));
  const manyFiles = (dir, count, size) =>
    Array.from({ length: count }, (_, i) =>
      ensureRandomFile(join(dir, `f${String(i).padStart(5, '0')}.bin`), size)
    );
  const smallDir = join(workDir, 'small');
  const small = manyFiles(smallDir, 1000, 64 * 1024);
  const tinyDir = join(workDir, 'tiny-10k');
  const tiny = manyFiles(tinyDir, 10_000, 4 * 1024);
  const half = ensureRandomFile(join(workDir, 'half-512m.bin'), 512 * MiB);
  return { big, pair, small, smallDir, tiny, tinyDir, half };
}

/**
 * Reads files once so the measurement starts from the page cache (this machine's kernel reclaims cold pages
 * proactively, so a file written minutes ago may be back on disk). Returns the seconds it took.
 */
export async function warmCache(paths) {
  const { readSync } = await import('node:fs');
  const t0 = performance.now();
  const block = new Uint8Array(8 * MiB);
  for (const p of paths) {
    const fd = openSync(p, 'r');
    try {
      while (readSync(fd, block, 0, block.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
  return (performance.now() - t0) / 1000;
}
