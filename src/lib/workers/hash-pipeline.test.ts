import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedFile } from './hash-feed';
import { hashFromFeeder } from './hash-pipeline';

// The feeder and the hashing side joined by a real MessageChannel (buffers are transferred both ways), in one
// thread: the same code the browser runs in two workers.
const KiB = 1024;
const want = (b: Uint8Array) => ({ sha256: createHash('sha256').update(b).digest('hex') });

async function pipeline(
  file: Blob,
  opts: {
    chunkSize?: number;
    pool?: number;
    mode?: 'byob' | 'slice';
    signal?: AbortSignal;
    onProgress?: (d: number) => void;
  } = {}
) {
  const { port1, port2 } = new MessageChannel();
  const feeding = feedFile(
    { file, port: port2, chunkSize: opts.chunkSize ?? 64 * KiB, pool: opts.pool ?? 3 },
    opts.mode
  );
  try {
    return await hashFromFeeder(port1, file.size, { signal: opts.signal, onProgress: opts.onProgress });
  } finally {
    await feeding;
  }
}

describe('hash pipeline (feeder + SHA-256 side)', () => {
  const bytes = new Uint8Array(randomBytes(1_000_000 + 13));

  for (const mode of ['byob', 'slice'] as const) {
    it(`matches Node crypto for sizes around chunk boundaries (${mode})`, async () => {
      for (const size of [0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 3 * 64 * KiB, bytes.length]) {
        const part = bytes.subarray(0, size);
        const { sha256 } = await pipeline(new Blob([part]), { mode });
        expect({ sha256 }, `size ${size}`).toEqual(want(part));
      }
    });
  }

  it('keeps at most `pool` buffers whatever the file size', async () => {
    const r = await pipeline(new Blob([bytes]), { chunkSize: 16 * KiB, pool: 3 });
    expect(r.sha256).toBe(want(bytes).sha256);
    expect(r.buffersAllocated).toBeLessThanOrEqual(3);
    expect(r.buffersAllocated).toBeGreaterThan(0);
  });

  it('reports progress in order, ending at the size', async () => {
    const seen: number[] = [];
    await pipeline(new Blob([bytes]), { chunkSize: 256 * KiB, onProgress: (d) => seen.push(d) });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(bytes.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.length).toBe(1 + Math.ceil(bytes.length / (256 * KiB)));
  });

  it('stops with an AbortError when cancelled mid-file, and the next job is still right', async () => {
    const controller = new AbortController();
    const run = pipeline(new Blob([bytes]), {
      chunkSize: 16 * KiB,
      signal: controller.signal,
      onProgress: (d) => d >= 200_000 && controller.abort()
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect((await pipeline(new Blob([bytes]))).sha256).toBe(want(bytes).sha256);
  });

  it('passes a read error through with its name, instead of a digest', async () => {
    const broken = new Blob([bytes]);
    const failing = {
      size: broken.size,
      slice: () => ({
        arrayBuffer: () => Promise.reject(Object.assign(new Error('gone'), { name: 'NotReadableError' }))
      }),
      stream: () => {
        throw new Error('no stream');
      }
    } as unknown as Blob;
    await expect(pipeline(failing)).rejects.toMatchObject({ name: 'NotReadableError', message: 'gone' });
  });

  it('fails clearly when the file yields fewer bytes than its size', async () => {
    const real = new Blob([bytes.subarray(0, 100_000)]);
    for (const mode of ['byob', 'slice'] as const) {
      const shrunk = {
        size: 150_000,
        slice: real.slice.bind(real),
        stream: real.stream.bind(real)
      } as unknown as Blob;
      await expect(pipeline(shrunk, { mode })).rejects.toThrow(/changed while hashing/);
    }
  });
});
