import type { ByteSource } from '../bytes/byte-source';
import { chunks, DEFAULT_CHUNK_SIZE } from '../bytes/chunks';
import { wasmDigests, type DigestProvider, type RunningDigest } from './digest-provider';
import { GIT_SHA1_MAX_BYTES, wantsGitSha1 } from './git-sha1-limit';

export interface Digests {
  sha256: string;
  /** Git's blob id: sha1("blob <size>\0" + bytes); null when not computed (a file over the size limit). */
  gitSha1: string | null;
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

export interface MultiHasherOptions {
  /** Largest file that gets a git blob SHA-1 (default GIT_SHA1_MAX_BYTES; Infinity for every file). */
  gitSha1MaxBytes?: number;
}

function startGitBlob(provider: DigestProvider, size: number): RunningDigest {
  const sha1 = provider.start('sha1');
  sha1.update(new TextEncoder().encode(`blob ${size}\0`));
  return sha1;
}

/** Incremental SHA-256 (+ git blob SHA-1 for files within the limit) over the same chunks, in one pass. */
export class MultiHasher {
  private sha256: RunningDigest | undefined;
  private sha1: RunningDigest | undefined;
  private readonly gitSha1MaxBytes: number;

  constructor(
    private readonly provider: DigestProvider,
    { gitSha1MaxBytes = GIT_SHA1_MAX_BYTES }: MultiHasherOptions = {}
  ) {
    this.gitSha1MaxBytes = gitSha1MaxBytes;
  }

  /** A hasher over hash-wasm (the browser's); the CLI passes node:crypto's provider instead. */
  static async create(options?: MultiHasherOptions, provider?: DigestProvider): Promise<MultiHasher> {
    return new MultiHasher(provider ?? (await wasmDigests()), options);
  }

  begin(size: number): void {
    this.sha256 = this.provider.start('sha256');
    this.sha1 = wantsGitSha1(size, this.gitSha1MaxBytes) ? startGitBlob(this.provider, size) : undefined;
  }

  update(bytes: Uint8Array): void {
    this.sha256!.update(bytes);
    this.sha1?.update(bytes);
  }

  finish(): Digests {
    const digests = { sha256: this.sha256!.hex(), gitSha1: this.sha1?.hex() ?? null };
    this.sha256 = this.sha1 = undefined;
    return digests;
  }
}

let shared: Promise<MultiHasher> | undefined;

/** Feeds a source start to end to `update`, checking that exactly `size` bytes came. */
async function feed(
  src: ByteSource,
  { chunkSize = DEFAULT_CHUNK_SIZE, signal, onProgress }: DigestOptions,
  update: (bytes: Uint8Array) => void
): Promise<void> {
  onProgress?.({ done: 0, total: src.size });
  let done = 0;
  for await (const { bytes } of chunks(src, { chunkSize, signal })) {
    update(bytes);
    done += bytes.length;
    onProgress?.({ done, total: src.size });
  }
  if (done !== src.size) throw new Error(`read ${done} of ${src.size} bytes: the file changed while hashing`);
}

/** Hashes a source start to end. One hasher per calling context; calls must not interleave on it. */
export async function digestSource(
  src: ByteSource,
  options: DigestOptions = {},
  hasher?: MultiHasher
): Promise<Digests> {
  const h = hasher ?? (await MultiHasher.create());
  h.begin(src.size);
  await feed(src, options, (bytes) => h.update(bytes));
  return h.finish();
}

/** The git blob SHA-1 alone, whatever the size: what the Provenance page asks for when a listing needs it. */
export async function gitBlobSha1(
  src: ByteSource,
  options: DigestOptions = {},
  provider?: DigestProvider
): Promise<string> {
  const sha1 = startGitBlob(provider ?? (await wasmDigests()), src.size);
  await feed(src, options, (bytes) => sha1.update(bytes));
  return sha1.hex();
}

/** A lazily created hasher for callers that hash one file at a time (workers, CLI). */
export function sharedHasher(): Promise<MultiHasher> {
  shared ??= MultiHasher.create();
  return shared;
}
