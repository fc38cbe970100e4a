import { throwIfAborted } from '../cancel';
import { gatherTensor } from './gather';
import type { ShardLayout } from './header';

/** Where the output bytes go: a file in Node, a FileSystemWritableFileStream or an OPFS file in the app. */
export interface ByteSink {
  /** The chunk is not reused by the writer after the returned promise settles. */
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Incremental SHA-256 (hash-wasm's IHasher and node:crypto's Hash both fit). A hasher that works elsewhere
 * (another thread) may return a promise from `update` to hold the writer back, and from `digest`.
 */
export interface StreamHasher {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string | Promise<string>;
}

export interface WriteOptions {
  hasher: StreamHasher;
  signal?: AbortSignal;
  chunkSize?: number;
  /** Bytes written to this file so far. */
  onProgress?: (written: number) => void;
}

export const WRITE_CHUNK = 8 * 1024 * 1024;

/**
 * Streams one safetensors file: the header, then each tensor's bytes read from the input in order (made
 * contiguous on the way when needed). Memory holds a few chunks, whatever the size. Returns the SHA-256
 * of exactly the bytes handed to the sink.
 */
export async function writeShard(
  layout: ShardLayout,
  sink: ByteSink,
  options: WriteOptions
): Promise<string> {
  const { hasher, signal, onProgress } = options;
  const chunkSize = options.chunkSize ?? WRITE_CHUNK;
  let written = 0;
  const put = async (bytes: Uint8Array) => {
    throwIfAborted(signal);
    const pending = sink.write(bytes);
    // Hash while the sink writes: on Node the write runs on the thread pool.
    const hashed = hasher.update(bytes);
    await pending;
    await hashed;
    written += bytes.length;
    onProgress?.(written);
  };
  await put(layout.header);
  for (const t of layout.tensors) {
    const pieces =
      t.mode === 'copy'
        ? t.storage.stream(t.byteStart, t.byteStart + t.byteLength, chunkSize, signal)
        : gatherTensor(t, chunkSize, signal);
    let length = 0;
    for await (const piece of pieces) {
      length += piece.length;
      await put(piece);
    }
    if (length !== t.byteLength) {
      throw new Error(
        `tensor ${JSON.stringify(t.name.slice(0, 80))}: ${length} of ${t.byteLength} bytes read`
      );
    }
  }
  if (written !== layout.size) throw new Error(`wrote ${written} of ${layout.size} bytes`);
  return await hasher.digest('hex');
}
