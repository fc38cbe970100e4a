import { blobSource, type SliceableBlob } from '../core/bytes/byte-source';
import { digestSource, sharedHasher, type Digests } from '../core/hash/multi-digest';

export interface HashFileOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Runs inside a worker: SHA-256 + git blob SHA-1 of a File. (Throughput work lives here; see bench/.) */
export async function hashFile(
  file: SliceableBlob,
  name: string,
  opts: HashFileOptions = {}
): Promise<Digests> {
  return digestSource(
    blobSource(file, name),
    { signal: opts.signal, onProgress: (p) => opts.onProgress?.(p.done, p.total) },
    await sharedHasher()
  );
}
