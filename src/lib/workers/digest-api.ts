import type { HashType } from '../core/signing/model-manifest';

/** One file or shard digest, computed in its own worker so that shards are hashed on every core. */
export interface DigestWorkerApi {
  digest(
    blob: Blob,
    start: number,
    length: number,
    hashType: HashType,
    onBytes: (n: number) => void
  ): Promise<string>;
  /** Git blob SHA-1 of a whole file, re-read for it (large files are hashed without one by default). */
  gitBlobSha1(blob: Blob): Promise<string>;
}
