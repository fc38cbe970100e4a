import { rangeSource, type ByteSource } from './byte-source';
import { DEFAULT_CHUNK_SIZE } from './chunks';

export interface SharedReadsOptions {
  /** The hash's read size; its reads must be aligned to it (as `chunks()` makes them). */
  chunkSize?: number;
  /** Chunks kept for the scan after the hash has read them: memory is about (window + 2) × chunkSize. */
  window?: number;
}

export interface SharedReads {
  /** For the hash: read it start to end in `chunkSize` steps (digestSource does). */
  hash: ByteSource;
  /** For the scan: any range; served from the hash's recent chunks when they hold it. */
  scan: ByteSource;
  /** The scan has finished (or failed): the hash stops waiting for it. */
  scanDone(): void;
  /** Bytes read from the underlying source, for tests and the benchmark. */
  readonly bytesRead: number;
}

/**
 * One read per file for hashing and scanning. The hash streams the file in order; each chunk stays in a small
 * window so the scan's reads of those bytes cost nothing. While the scan is reading behind the window's oldest
 * chunk (a raw pickle, parsed more slowly than it is hashed), a full window holds the hash back, so the two
 * advance together and every byte is read once. Whatever the scan asks for outside the window (the header at
 * the end, a member the hash has passed) is read directly. The scan never waits for the hash, except for a
 * chunk the hash is already reading, so neither can block the other for good.
 */
export function sharedReads(
  src: ByteSource,
  { chunkSize = DEFAULT_CHUNK_SIZE, window = 4 }: SharedReadsOptions = {}
): SharedReads {
  /** Chunk index → its bytes (or the read in flight), oldest first. */
  const cache = new Map<number, Promise<Uint8Array>>();
  let bytesRead = 0;
  let scanActive = true;
  /** Where the scan's latest read started (-1: none yet, so it is behind everything). */
  let scanAt = -1;
  let waiting: (() => void)[] = [];
  const changed = () => {
    const wake = waiting;
    waiting = [];
    for (const resolve of wake) resolve();
  };

  const readUnder = (offset: number, length: number) => {
    bytesRead += Math.max(0, Math.min(length, src.size - offset));
    return src.read(offset, length);
  };

  /** The hash keeps the oldest chunk until the scan has gone past it or finished. */
  const mustKeepOldest = (): boolean => {
    if (!scanActive) return false;
    const oldest = cache.keys().next().value as number;
    return scanAt < (oldest + 1) * chunkSize;
  };

  const hashRead = async (offset: number, length: number): Promise<Uint8Array> => {
    if (offset % chunkSize !== 0 || length !== Math.min(chunkSize, src.size - offset))
      return readUnder(offset, length);
    while (cache.size >= window && mustKeepOldest()) await new Promise<void>((r) => waiting.push(r));
    while (cache.size >= window) cache.delete(cache.keys().next().value as number);
    const index = offset / chunkSize;
    const reading = readUnder(offset, length);
    reading.catch(() => cache.delete(index));
    cache.set(index, reading);
    changed();
    return reading;
  };

  const scanRead = async (offset: number, length: number): Promise<Uint8Array> => {
    scanAt = offset;
    changed();
    const first = Math.floor(offset / chunkSize);
    const last = Math.floor((offset + length - 1) / chunkSize);
    if (first === last && !cache.has(first)) return readUnder(offset, length);
    // Each chunk's part of the range: from the window when it holds that chunk, else read directly.
    const parts: Promise<Uint8Array>[] = [];
    for (let i = first; i <= last; i++) {
      const from = Math.max(offset, i * chunkSize);
      const to = Math.min(offset + length, (i + 1) * chunkSize);
      const chunk = cache.get(i);
      parts.push(
        chunk
          ? chunk.then((bytes) => bytes.subarray(from - i * chunkSize, to - i * chunkSize))
          : readUnder(from, to - from)
      );
    }
    const pieces = await Promise.all(parts);
    if (pieces.length === 1) return pieces[0];
    const out = new Uint8Array(length);
    let at = 0;
    for (const piece of pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  };

  return {
    hash: rangeSource(src.name, src.size, hashRead),
    scan: rangeSource(src.name, src.size, scanRead),
    scanDone() {
      scanActive = false;
      changed();
    },
    get bytesRead() {
      return bytesRead;
    }
  };
}
