import { rangeSource, type ByteSource } from './byte-source';

/** Fetches bytes [start, end) of the remote file (end ≤ size). */
export type RangeFetch = (start: number, end: number) => Promise<Uint8Array>;

export interface RemoteSourceOptions {
  /** Smallest request: tiny reads (a 30-byte zip header) fetch this much, so neighbours come free. */
  minFetchBytes?: number;
  /** Largest single request; longer gaps are split. */
  maxFetchBytes?: number;
  /** Bytes of fetched ranges kept for later reads (least recently used go first). */
  cacheBytes?: number;
}

export const REMOTE_SOURCE_DEFAULTS: Required<RemoteSourceOptions> = {
  minFetchBytes: 64 * 1024,
  maxFetchBytes: 16 * 1024 * 1024,
  cacheBytes: 32 * 1024 * 1024
};

interface Extent {
  start: number;
  end: number;
  bytes: Promise<Uint8Array>;
  done: boolean;
  lastUsed: number;
}

/**
 * A ByteSource over a file that is read by range over the network. Only what the scanners ask for is fetched;
 * fetched ranges are cached (bounded, LRU) and reads in flight are shared, so overlapping reads cost one request.
 */
export function remoteSource(
  name: string,
  size: number,
  fetchRange: RangeFetch,
  options: RemoteSourceOptions = {}
): ByteSource {
  const { minFetchBytes, maxFetchBytes, cacheBytes } = { ...REMOTE_SOURCE_DEFAULTS, ...options };
  let extents: Extent[] = []; // sorted by start, never overlapping
  let clock = 0;

  const evict = () => {
    let held = extents.reduce((n, e) => n + (e.done ? e.end - e.start : 0), 0);
    if (held <= cacheBytes) return;
    const victims = extents.filter((e) => e.done).sort((a, b) => a.lastUsed - b.lastUsed);
    const drop = new Set<Extent>();
    for (const v of victims) {
      if (held <= cacheBytes) break;
      drop.add(v);
      held -= v.end - v.start;
    }
    extents = extents.filter((e) => !drop.has(e));
  };

  const startFetch = (start: number, end: number): Extent => {
    const extent: Extent = { start, end, bytes: fetchRange(start, end), done: false, lastUsed: ++clock };
    extent.bytes.then(
      () => {
        extent.done = true;
        evict();
      },
      () => {
        extents = extents.filter((e) => e !== extent); // a later read may try again
      }
    );
    const at = extents.findIndex((e) => e.start > start);
    extents.splice(at === -1 ? extents.length : at, 0, extent);
    return extent;
  };

  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    const end = offset + length;
    const pieces: { extent: Extent; from: number; to: number }[] = [];
    let pos = offset;
    while (pos < end) {
      const covering = extents.find((e) => e.start <= pos && pos < e.end);
      if (covering) {
        const to = Math.min(end, covering.end);
        covering.lastUsed = ++clock;
        pieces.push({ extent: covering, from: pos, to });
        pos = to;
        continue;
      }
      const nextStart = extents.find((e) => e.start > pos)?.start ?? size;
      const fetchEnd = Math.min(nextStart, size, pos + maxFetchBytes, Math.max(end, pos + minFetchBytes));
      const extent = startFetch(pos, fetchEnd);
      const to = Math.min(end, fetchEnd);
      pieces.push({ extent, from: pos, to });
      pos = to;
    }
    const out = new Uint8Array(length);
    for (const { extent, from, to } of pieces) {
      const bytes = await extent.bytes;
      out.set(bytes.subarray(from - extent.start, to - extent.start), from - offset);
    }
    return out;
  };

  return rangeSource(name, size, read);
}
