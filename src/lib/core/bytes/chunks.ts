import type { ByteSource } from './byte-source';
import { throwIfAborted } from '../cancel';

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

export interface ChunkOptions {
  chunkSize?: number;
  signal?: AbortSignal;
  /** How many reads may be outstanding ahead of the consumer (1 = read the next chunk while this one is used). */
  readAhead?: number;
}

/**
 * Streams a source in order. At most `readAhead + 1` chunks exist at once, so memory is flat for any size.
 */
export async function* chunks(
  src: ByteSource,
  { chunkSize = DEFAULT_CHUNK_SIZE, signal, readAhead = 1 }: ChunkOptions = {}
): AsyncGenerator<{ offset: number; bytes: Uint8Array }> {
  if (!(chunkSize > 0)) throw new RangeError('chunkSize must be positive');
  const pending: { offset: number; promise: Promise<Uint8Array> }[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length <= readAhead && next < src.size) {
      const offset = next;
      const promise = src.read(offset, chunkSize);
      promise.catch(() => undefined); // surfaced when awaited below
      pending.push({ offset, promise });
      next += chunkSize;
    }
  };
  fill();
  while (pending.length > 0) {
    throwIfAborted(signal);
    const head = pending.shift()!;
    const bytes = await head.promise;
    throwIfAborted(signal);
    fill();
    yield { offset: head.offset, bytes };
  }
}
