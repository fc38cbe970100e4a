import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedStorage } from '../../src/lib/core/convert/storage-data';
import { openFileSource } from '../../src/lib/node/file-source';
import { threadedSha256 } from '../../src/lib/node/threaded-sha256';

describe('convert: Node I/O', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safeload-convert-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads into caller buffers, clamped to the source and its windows', async () => {
    const bytes = randomBytes(10_000);
    writeFileSync(join(dir, 'f.bin'), bytes);
    const { source, close } = await openFileSource(join(dir, 'f.bin'));
    try {
      const target = new Uint8Array(4096);
      expect(await source.readInto!(9_000, target)).toBe(1_000);
      expect(target.subarray(0, 1_000)).toEqual(new Uint8Array(bytes.subarray(9_000)));
      const window = source.sub(100, 50);
      expect(await window.readInto!(10, target)).toBe(40);
      expect(target.subarray(0, 40)).toEqual(new Uint8Array(bytes.subarray(110, 150)));
    } finally {
      await close();
    }
  });

  it('streams a stored range through recycled shared buffers and hashes them on another thread', async () => {
    const size = 13 * 1024 * 1024 + 17;
    const bytes = randomBytes(size);
    writeFileSync(join(dir, 'big.bin'), bytes);
    const { source, close } = await openFileSource(join(dir, 'big.bin'));
    try {
      const hasher = await threadedSha256();
      const seen = new Set<ArrayBufferLike>();
      const copy = new Uint8Array(size - 5);
      let at = 0;
      for await (const chunk of storedStorage(source, 0).stream(5, size, 1024 * 1024)) {
        seen.add(chunk.buffer);
        copy.set(chunk, at);
        at += chunk.length;
        await hasher.update(chunk);
      }
      await hasher.update(new Uint8Array([1, 2, 3]));
      expect(Buffer.from(copy.buffer).equals(bytes.subarray(5))).toBe(true);
      expect(seen.size).toBe(3);
      expect([...seen].every((b) => b instanceof SharedArrayBuffer)).toBe(true);
      const want = createHash('sha256')
        .update(bytes.subarray(5))
        .update(new Uint8Array([1, 2, 3]))
        .digest('hex');
      expect(await hasher.digest('hex')).toBe(want);
    } finally {
      await close();
    }
  });
});
