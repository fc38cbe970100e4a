import { Inflate } from 'fflate';
import type { ByteSource } from '../bytes/byte-source';
import { throwIfAborted } from '../cancel';
import { ConvertError } from './errors';

/** The bytes of one storage (or array) in the input, readable in order and, when stored, at random. */
export interface StorageData {
  readonly size: number;
  /** Where the bytes start in the input file: tensors are written in this order to read it forward. */
  readonly order: number;
  /** Random access when the bytes are stored as is (zip stored members, legacy raw data, .npy). */
  readonly random?: ByteSource;
  /** The bytes [start, end) in order, in pieces of about `chunkSize`. */
  stream(start: number, end: number, chunkSize: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

/** Buffers a stored storage streams through when its source can read into them (Node files)… */
const POOL = 3;
/** …for ranges of at least this many bytes. */
const POOL_MIN = 4 * 1024 * 1024;

/** SharedArrayBuffer where the platform has it (a hashing thread can then read a chunk without a copy). */
function poolBuffer(size: number): Uint8Array {
  return typeof SharedArrayBuffer === 'function'
    ? new Uint8Array(new SharedArrayBuffer(size))
    : new Uint8Array(size);
}

/**
 * Bytes stored as is: reads are issued one ahead of the consumer so I/O overlaps the writing. When the
 * source reads into buffers, a few are recycled, so a chunk is only valid until the generator is resumed.
 */
export function storedStorage(src: ByteSource, order: number): StorageData {
  return {
    size: src.size,
    order,
    random: src,
    async *stream(start, end, chunkSize, signal) {
      // Small ranges are simply read: a pool per tensor would cost more than the copies it saves.
      const readInto = end - start >= POOL_MIN ? src.readInto?.bind(src) : undefined;
      const pool = readInto
        ? Array.from({ length: POOL }, () => poolBuffer(Math.min(chunkSize, end - start)))
        : [];
      let next = start;
      let turn = 0;
      const issue = () => {
        if (next >= end) return undefined;
        const length = Math.min(chunkSize, end - next);
        const at = next;
        next += length;
        const p = readInto
          ? (() => {
              const target = pool[turn++ % POOL].subarray(0, length);
              return readInto(at, target).then(() => target);
            })()
          : src.read(at, length);
        p.catch(() => undefined);
        return p;
      };
      let pending = issue();
      while (pending) {
        throwIfAborted(signal);
        const bytes = await pending;
        pending = issue();
        yield bytes;
      }
    }
  };
}

/** Compressed bytes pushed per step: bounds the output one synchronous push can produce (~1000:1). */
const PUSH = 16 * 1024;
const READ = 1024 * 1024;

/**
 * A deflated zip member: only sequential access, inflating from the start each time and discarding what
 * lies before `start`. The output must be exactly `size` bytes, as the zip directory declares.
 */
export function deflatedStorage(raw: ByteSource, size: number, order: number): StorageData {
  return {
    size,
    order,
    async *stream(start, end, chunkSize, signal) {
      let produced = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const inflater = new Inflate((out) => {
        const from = produced;
        produced += out.length;
        if (produced > size) throw new ConvertError(`a deflated member inflates to more than ${size} bytes`);
        const a = Math.max(start, from);
        const b = Math.min(end, produced);
        if (b > a) {
          pending.push(out.slice(a - from, b - from));
          pendingBytes += b - a;
        }
      });
      for (let offset = 0; offset < raw.size && produced < end; offset += READ) {
        throwIfAborted(signal);
        const chunk = await raw.read(offset, READ);
        for (let p = 0; p < chunk.length && produced < end; p += PUSH) {
          const piece = chunk.subarray(p, p + PUSH);
          try {
            inflater.push(piece, offset + p + piece.length >= raw.size);
          } catch (err) {
            if (err instanceof ConvertError) throw err;
            throw new ConvertError(`a deflated member is corrupt: ${(err as Error).message}`);
          }
          if (pendingBytes >= chunkSize) {
            yield concat(pending, pendingBytes);
            pending = [];
            pendingBytes = 0;
          }
        }
      }
      if (pendingBytes > 0) yield concat(pending, pendingBytes);
      if (produced < end) {
        throw new ConvertError(`a deflated member ends after ${produced} of its ${size} bytes`);
      }
    }
  };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads [start, end) of a storage into memory (small ranges only: callers bound the length). */
export async function readRange(
  data: StorageData,
  start: number,
  end: number,
  signal?: AbortSignal
): Promise<Uint8Array> {
  if (data.random) return data.random.read(start, end - start);
  const parts: Uint8Array[] = [];
  for await (const piece of data.stream(start, end, 1 << 20, signal)) parts.push(piece);
  return concat(parts, end - start);
}
