import { createSHA1, createSHA256, type IHasher } from 'hash-wasm';
import type { ByteSource } from '../bytes/byte-source';
import { chunks, DEFAULT_CHUNK_SIZE } from '../bytes/chunks';

export interface Digests {
  sha256: string;
  /** Git's blob id: sha1("blob <size>\0" + bytes). */
  gitSha1: string;
}

export interface DigestProgress {
  done: number;
  total: number;
}

export interface DigestOptions {
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: DigestProgress) => void;
}

/** Incremental SHA-256 + git blob SHA-1 over the same chunks, in one pass. */
export class MultiHasher {
  private constructor(
    private readonly sha256: IHasher,
    private readonly sha1: IHasher
  ) {}

  static async create(): Promise<MultiHasher> {
    return new MultiHasher(await createSHA256(), await createSHA1());
  }

  begin(size: number): void {
    this.sha256.init();
    this.sha1.init();
    this.sha1.update(`blob ${size}\0`);
  }

  update(bytes: Uint8Array): void {
    this.sha256.update(bytes);
    this.sha1.update(bytes);
  }

  finish(): Digests {
    return { sha256: this.sha256.digest('hex'), gitSha1: this.sha1.digest('hex') };
  }
}

let shared: Promise<MultiHasher> | undefined;

/** Hashes a source start to end. One hasher per calling context; calls must not interleave on it. */
export async function digestSource(
  src: ByteSource,
  { chunkSize = DEFAULT_CHUNK_SIZE, signal, onProgress }: DigestOptions = {},
  hasher?: MultiHasher
): Promise<Digests> {
  const h = hasher ?? (await MultiHasher.create());
  h.begin(src.size);
  onProgress?.({ done: 0, total: src.size });
  let done = 0;
  for await (const { bytes } of chunks(src, { chunkSize, signal })) {
    h.update(bytes);
    done += bytes.length;
    onProgress?.({ done, total: src.size });
  }
  if (done !== src.size) throw new Error(`read ${done} of ${src.size} bytes: the file changed while hashing`);
  return h.finish();
}

/** A lazily created hasher for callers that hash one file at a time (workers, CLI). */
export function sharedHasher(): Promise<MultiHasher> {
  shared ??= MultiHasher.create();
  return shared;
}
