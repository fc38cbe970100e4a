import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blobSource } from '../core/bytes/byte-source';
import { digestWithHashWasm } from '../core/signing/range-digest';
import { createDigestPool, type DigestLane } from './digest-pool';

/** Lanes that run the digest worker's own code in this thread, counting how many work at once. */
function inThreadLanes() {
  const stats = { spawned: 0, terminated: 0, busy: 0, peak: 0 };
  const spawn = (): DigestLane => {
    stats.spawned++;
    return {
      async digest(blob, start, length, hashType, onBytes) {
        stats.peak = Math.max(stats.peak, ++stats.busy);
        try {
          await new Promise((r) => setImmediate(r)); // one turn, so the other lanes start meanwhile
          return await digestWithHashWasm(blobSource(blob, 'x').sub(start, length), hashType, { onBytes });
        } finally {
          stats.busy--;
        }
      },
      terminate: () => void stats.terminated++
    };
  };
  return { spawn, stats };
}

const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 256);
const blob = new Blob([bytes]);
const blake = (b: Uint8Array) => createHash('blake2b512').update(b).digest('hex');

describe('digest pool', () => {
  it('hashes blob shards on at most `size` lanes, with the right digests', async () => {
    const { spawn, stats } = inThreadLanes();
    const pool = createDigestPool(2, spawn);
    const src = blobSource(blob, 'model.bin');
    const shards = Array.from({ length: 10 }, (_, i) => src.sub(i * 1000, 1000));
    let bytesSeen = 0;
    const hex = await Promise.all(
      shards.map((s) => pool.digester(s, 'blake2b', { onBytes: (n) => (bytesSeen += n) }))
    );
    expect(hex).toEqual(shards.map((_, i) => blake(bytes.subarray(i * 1000, i * 1000 + 1000))));
    expect(stats).toMatchObject({ spawned: 2, peak: 2, busy: 0 });
    expect(bytesSeen).toBe(10_000);
  });

  it('hashes sources that are not blob-backed in place', async () => {
    const { spawn, stats } = inThreadLanes();
    const pool = createDigestPool(2, spawn);
    const { memorySource } = await import('../core/bytes/byte-source');
    expect(await pool.digester(memorySource(bytes), 'blake2b', {})).toBe(blake(bytes));
    expect(stats.spawned).toBe(0);
  });

  it('replaces a cancelled lane and keeps working', async () => {
    const { spawn, stats } = inThreadLanes();
    const pool = createDigestPool(1, spawn);
    const controller = new AbortController();
    const cancelled = pool.digester(blobSource(blob, 'a'), 'sha256', { signal: controller.signal });
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(stats.terminated).toBe(1);
    const again = await pool.digester(blobSource(blob, 'a'), 'sha256', {});
    expect(again).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
