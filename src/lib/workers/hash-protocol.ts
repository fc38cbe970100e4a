/**
 * Messages between the hashing thread (SHA-256, in the file-job worker) and its feeder worker (reads the file).
 * Chunk buffers are transferred both ways, so a job owns a fixed pool of them.
 */
export interface FeedJob {
  file: Blob;
  port: MessagePort;
  chunkSize: number;
  /** Buffers in circulation: memory is chunkSize × pool whatever the file size. */
  pool: number;
}

export type FeederMessage =
  | { type: 'chunk'; buffer: ArrayBuffer; length: number }
  | { type: 'done'; bytes: number; buffersAllocated: number }
  | { type: 'error'; name: string; message: string };

export type HasherMessage = { type: 'return'; buffer: ArrayBuffer } | { type: 'cancel' };

/** Rebuilds an error that crossed postMessage as data, keeping its name (NotReadableError, AbortError, …). */
export function errorFromData({ name, message }: { name: string; message: string }): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

export function errorToData(err: unknown): { name: string; message: string } {
  const { name, message } = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
  };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(err)
  };
}
