import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeDigests } from '../../node/node-digests';
import { digestSource, MultiHasher } from '../hash/multi-digest';
import { scanSource } from '../scan';
import { memorySource, type ByteSource } from './byte-source';
import { SequentialReader } from './reader';
import { sharedReads } from './shared-reads';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A memory source that counts the bytes it hands out and remembers the furthest offset read. Each read takes a
 * turn of the event loop, as a file read does.
 */
function counted(bytes: Uint8Array, name = 'file') {
  const inner = memorySource(bytes, name);
  const stats = { bytes: 0, furthest: 0 };
  const source: ByteSource = {
    ...inner,
    read: async (offset, length) => {
      await new Promise((resolve) => setImmediate(resolve));
      const out = await inner.read(offset, length);
      stats.bytes += out.length;
      stats.furthest = Math.max(stats.furthest, offset + out.length);
      return out;
    },
    sub: () => {
      throw new Error('not used');
    }
  };
  return { source, stats };
}

/** A protocol-2 pickle of many small opcodes: the scanner reads every byte of it, in order. */
function longPickle(batches: number): Uint8Array {
  const parts: number[] = [0x80, 2, 0x5d];
  for (let b = 0; b < batches; b++) {
    parts.push(0x28); // MARK
    for (let i = 0; i < 500; i++) parts.push(0x4b, i & 0xff); // BININT1
    parts.push(0x65); // APPENDS
  }
  parts.push(0x2e); // STOP
  return Uint8Array.from(parts);
}

const hasher = () => new MultiHasher(nodeDigests);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sharedReads: one read per file for the hash and the scan', () => {
  it('a raw pickle is read once, and hash and report equal separate reads', async () => {
    const bytes = longPickle(6000); // ≈ 6 MB
    const alone = await scanSource(memorySource(bytes, 'model.pkl'));
    const { source, stats } = counted(bytes, 'model.pkl');
    const reads = sharedReads(source, { chunkSize: MiB, window: 3 });
    const scanning = scanSource(reads.scan).finally(() => reads.scanDone());
    const [digests, report] = await Promise.all([
      digestSource(reads.hash, { chunkSize: MiB }, hasher()),
      scanning
    ]);
    expect({ ...report, durationMs: 0 }).toEqual({ ...alone, durationMs: 0 });
    expect(report.complete).toBe(true);
    expect(digests.sha256).toBe(sha256(bytes));
    // Everything once, plus the scan's 64 KiB probe of the tail and the window re-read after it.
    expect(stats.bytes).toBeLessThan(bytes.length + 2 * MiB);
    expect(reads.bytesRead).toBe(stats.bytes);
  });

  it('holds the hash back for a slow sequential scan: it never runs more than the window ahead', async () => {
    const bytes = new Uint8Array(randomBytes(12 * MiB));
    const { source, stats } = counted(bytes);
    const reads = sharedReads(source, { chunkSize: MiB, window: 2 });
    let maxLead = 0;
    const scan = async () => {
      const reader = new SequentialReader(reads.scan, 0, 256 * KiB);
      const seen = createHash('sha256');
      while (reader.remaining > 0) {
        const n = Math.min(100 * KiB, reader.remaining);
        seen.update(await reader.bytes(n));
        maxLead = Math.max(maxLead, stats.furthest - reader.pos);
        await new Promise((r) => setTimeout(r, 1));
      }
      return seen.digest('hex');
    };
    const [digests, scanned] = await Promise.all([
      digestSource(reads.hash, { chunkSize: MiB }, hasher()),
      scan().finally(() => reads.scanDone())
    ]);
    expect(scanned).toBe(sha256(bytes));
    expect(digests.sha256).toBe(sha256(bytes));
    expect(stats.bytes).toBeLessThanOrEqual(bytes.length + 256 * KiB);
    expect(maxLead).toBeLessThanOrEqual(4 * MiB); // window + the read-ahead chunk + the scan's window
  });

  it('random reads from the scan get the right bytes and never stall the hash', async () => {
    const bytes = new Uint8Array(randomBytes(5 * MiB + 123));
    const { source } = counted(bytes);
    const reads = sharedReads(source, { chunkSize: 256 * KiB, window: 3 });
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const scan = async () => {
      for (let i = 0; i < 400; i++) {
        const offset = next(bytes.length);
        const length = next(600 * KiB);
        const got = await reads.scan.read(offset, length);
        const want = bytes.subarray(offset, Math.min(bytes.length, offset + length));
        expect(Buffer.compare(got, want), `${offset}+${length}`).toBe(0);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    };
    const [digests] = await Promise.all([
      digestSource(reads.hash, { chunkSize: 256 * KiB }, hasher()),
      scan().finally(() => reads.scanDone())
    ]);
    expect(digests.sha256).toBe(sha256(bytes));
  });

  it('a scan that stops in the middle of the file releases the hash', async () => {
    const bytes = new Uint8Array(randomBytes(8 * MiB));
    const reads = sharedReads(counted(bytes).source, { chunkSize: MiB, window: 2 });
    const hashing = digestSource(reads.hash, { chunkSize: MiB }, hasher());
    const reader = new SequentialReader(reads.scan, 0, 64 * KiB);
    for (let i = 0; i < 40; i++) await reader.bytes(32 * KiB); // sequential, then silent
    await new Promise((r) => setTimeout(r, 5));
    reads.scanDone();
    expect((await hashing).sha256).toBe(sha256(bytes));
  });
});
