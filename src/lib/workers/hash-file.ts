import { blobSource, type SliceableBlob } from '../core/bytes/byte-source';
import { digestSource, sharedHasher, type Digests } from '../core/hash/multi-digest';
import { hashFromFeeder } from './hash-pipeline';
import type { FeedJob } from './hash-protocol';

export interface HashFileOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Measured in bench/ (RESULTS.md): SHA-256 is the slowest step, so it gets this thread to itself while a feeder
 * worker reads the file (BYOB stream into recycled buffers). 4 MiB × 4 buffers was the best of 1–16 MiB chunk
 * sizes; below PIPELINE_MIN_BYTES starting that worker costs more than it saves. Files that large get no git
 * blob SHA-1 (it must stay above GIT_SHA1_MAX_BYTES), so the feeder only reads.
 */
export const PIPELINE_MIN_BYTES = 16 * 1024 * 1024;
export const CHUNK_SIZE = 4 * 1024 * 1024;
export const POOL = 4;

let feeder: Worker | undefined;
let feederBroken = false;

function feederWorker(): Worker | undefined {
  if (feederBroken || typeof Worker === 'undefined') return undefined;
  try {
    feeder ??= new Worker(new URL('./hash-feeder.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    feederBroken = true; // nested workers unavailable or forbidden: hash on this thread
    return undefined;
  }
  return feeder;
}

async function hashWithFeeder(worker: Worker, file: Blob, opts: HashFileOptions): Promise<Digests> {
  const channel = new MessageChannel();
  const listening = new AbortController();
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener(
      'error',
      (e) => reject(new Error(`hash feeder failed: ${e.message || 'did not start'}`)),
      { signal: listening.signal }
    )
  );
  const job: FeedJob = { file, port: channel.port2, chunkSize: CHUNK_SIZE, pool: POOL };
  worker.postMessage(job, [channel.port2]);
  try {
    const { sha256 } = await Promise.race([hashFromFeeder(channel.port1, file.size, opts), failed]);
    return { sha256, gitSha1: null };
  } catch (err) {
    // A cancelled or failed job may leave the feeder mid-read; a fresh one is cheaper than reasoning about it.
    worker.terminate();
    if (feeder === worker) feeder = undefined;
    if ((err as Error).message?.startsWith('hash feeder failed')) feederBroken = true;
    throw err;
  } finally {
    listening.abort();
  }
}

/** Runs inside a worker: SHA-256 of a File, and its git blob SHA-1 when small enough; reads it once. */
export async function hashFile(
  file: SliceableBlob,
  name: string,
  opts: HashFileOptions = {}
): Promise<Digests> {
  const blob = isBlob(file) && file.size >= PIPELINE_MIN_BYTES ? file : undefined;
  const worker = blob && feederWorker();
  if (blob && worker) {
    try {
      return await hashWithFeeder(worker, blob, opts);
    } catch (err) {
      if (!feederBroken || (err as Error).name === 'AbortError') throw err;
    }
  }
  return digestSource(
    blobSource(file, name),
    { signal: opts.signal, onProgress: (p) => opts.onProgress?.(p.done, p.total) },
    await sharedHasher()
  );
}

function isBlob(file: SliceableBlob): file is Blob {
  return typeof Blob !== 'undefined' && file instanceof Blob;
}
