import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobSource, memorySource, type ByteSource } from '../bytes/byte-source';
import { openFileSource } from '../../node/file-source';
import { nodeDigests } from '../../node/node-digests';
import { wasmDigests } from './digest-provider';
import { digestSource, gitBlobSha1 as gitBlobOf, MultiHasher } from './multi-digest';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitBlobSha1 = (b: Uint8Array) =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

describe('digestSource', () => {
  it('hashes the empty input', async () => {
    const d = await digestSource(memorySource(new Uint8Array(0)));
    expect(d.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(d.gitSha1).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('hashes "abc" (FIPS 180-2 vector)', async () => {
    const d = await digestSource(memorySource(new TextEncoder().encode('abc')));
    expect(d.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(d.gitSha1).toBe(gitBlobSha1(new TextEncoder().encode('abc')));
  });

  it('matches Node crypto on 5 MiB of random bytes, whatever the chunk size', async () => {
    const bytes = new Uint8Array(randomBytes(5 * 1024 * 1024 + 7));
    const want = { sha256: sha256(bytes), gitSha1: gitBlobSha1(bytes) };
    for (const chunkSize of [1024 * 1024, 3 * 1024 * 1024 + 1, 8 * 1024 * 1024, 4099]) {
      expect(await digestSource(memorySource(bytes), { chunkSize })).toEqual(want);
    }
  });

  it('reads a Blob by slices with the same result', async () => {
    const bytes = new Uint8Array(randomBytes(1_000_003));
    const d = await digestSource(blobSource(new Blob([bytes]), 'x'), { chunkSize: 65536 });
    expect(d.sha256).toBe(sha256(bytes));
  });

  it('agrees with `git hash-object` on a real file read through a Node file handle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safeload-'));
    const path = join(dir, 'blob.bin');
    const bytes = new Uint8Array(randomBytes(300_001));
    writeFileSync(path, bytes);
    const expected = execFileSync('git', ['hash-object', path]).toString().trim();
    const { source, close } = await openFileSource(path);
    try {
      const d = await digestSource(source, { chunkSize: 65536 });
      expect(d.gitSha1).toBe(expected);
      expect(d.sha256).toBe(sha256(bytes));
    } finally {
      await close();
    }
  });

  it('reports progress that ends at the size', async () => {
    const bytes = new Uint8Array(1000);
    const seen: number[] = [];
    await digestSource(memorySource(bytes), { chunkSize: 300, onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([0, 300, 600, 900, 1000]);
  });

  it('stops with an AbortError when cancelled mid-stream, and the hasher is reusable', async () => {
    const bytes = new Uint8Array(randomBytes(4 * 1024 * 1024));
    const controller = new AbortController();
    const hasher = await MultiHasher.create();
    const run = digestSource(
      memorySource(bytes),
      {
        chunkSize: 256 * 1024,
        signal: controller.signal,
        onProgress: (p) => p.done >= 1024 * 1024 && controller.abort()
      },
      hasher
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const again = await digestSource(memorySource(bytes), {}, hasher);
    expect(again.sha256).toBe(sha256(bytes));
  });

  it('fails clearly when the file shrinks while being read', async () => {
    const bytes = new Uint8Array(100_000);
    const liar: ByteSource = { ...memorySource(bytes), size: 200_000 };
    await expect(digestSource(liar, { chunkSize: 65536 })).rejects.toThrow(/changed|short/);
  });
});

describe('digest providers and the git blob SHA-1 limit', () => {
  const bytes = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));

  it('node:crypto and hash-wasm give the same digests through one MultiHasher', async () => {
    const want = { sha256: sha256(bytes), gitSha1: gitBlobSha1(bytes) };
    for (const provider of [nodeDigests, await wasmDigests()]) {
      const hasher = new MultiHasher(provider);
      expect(await digestSource(memorySource(bytes), { chunkSize: 1 << 20 }, hasher)).toEqual(want);
      // Reused for a second file: nothing carries over.
      const small = bytes.subarray(0, 1000);
      expect(await digestSource(memorySource(small), {}, hasher)).toEqual({
        sha256: sha256(small),
        gitSha1: gitBlobSha1(small)
      });
    }
  });

  it('skips the SHA-1 above the limit, and computes it alone on request', async () => {
    const hasher = new MultiHasher(nodeDigests, { gitSha1MaxBytes: bytes.length - 1 });
    expect(await digestSource(memorySource(bytes), {}, hasher)).toEqual({
      sha256: sha256(bytes),
      gitSha1: null
    });
    expect(await gitBlobOf(memorySource(bytes), { chunkSize: 65536 })).toBe(gitBlobSha1(bytes));
    expect(await gitBlobOf(memorySource(bytes), {}, nodeDigests)).toBe(gitBlobSha1(bytes));
  });

  it('a file shrinking under the SHA-1-only pass is an error, not a digest', async () => {
    const liar: ByteSource = { ...memorySource(bytes.subarray(0, 1000)), size: 5000 };
    await expect(gitBlobOf(liar)).rejects.toThrow(/changed|short/);
  });
});
