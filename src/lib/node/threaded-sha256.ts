import { Worker } from 'node:worker_threads';
import type { StreamHasher } from '../core/convert/writer';

/** Runs in the worker thread: node:crypto SHA-256 over the chunks it is sent, acknowledging each. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (chunk) => {
  if (chunk === null) parentPort.postMessage({ digest: hash.digest('hex') });
  else {
    hash.update(chunk);
    parentPort.postMessage({ done: chunk.length, shared: chunk.buffer instanceof SharedArrayBuffer });
  }
});
`;

/** Bytes sent to the thread but not hashed yet before `update` makes the writer wait. */
const MAX_QUEUED = 64 * 1024 * 1024;

/**
 * SHA-256 on a second thread (node:crypto, with the CPU's SHA extensions where present), so the output is
 * hashed while the main thread reads and writes. Chunks in a SharedArrayBuffer (the recycled read buffers)
 * are hashed in place and `update` resolves once they are; others are copied and handed over, at most
 * MAX_QUEUED bytes waiting, so memory stays bounded either way.
 */
export async function threadedSha256(): Promise<StreamHasher> {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  let queued = 0;
  let failure: Error | undefined;
  const waiters: (() => void)[] = [];
  let onDigest: ((hex: string) => void) | undefined;
  const wake = () => {
    while (waiters.length > 0 && (queued <= MAX_QUEUED || failure)) waiters.shift()!();
  };
  const sharedWaiters: (() => void)[] = [];
  worker.on('message', (m: { done?: number; shared?: boolean; digest?: string }) => {
    if (m.shared) sharedWaiters.shift()?.();
    else if (m.done !== undefined) {
      queued -= m.done;
      wake();
    } else if (m.digest !== undefined) onDigest?.(m.digest);
  });
  worker.on('error', (err) => {
    failure = err;
    wake();
    for (const resolve of sharedWaiters.splice(0)) resolve();
  });
  const check = () => {
    if (failure) throw failure;
  };
  return {
    update(data: Uint8Array): Promise<void> | undefined {
      check();
      if (data.buffer instanceof SharedArrayBuffer) {
        // A recycled buffer: the thread reads it in place, and the writer waits until it has.
        const done = new Promise<void>((resolve) => sharedWaiters.push(resolve)).then(check);
        worker.postMessage(data);
        return done;
      }
      const copy = data.slice();
      queued += copy.length;
      worker.postMessage(copy, [copy.buffer]);
      if (queued <= MAX_QUEUED) return undefined;
      return new Promise<void>((resolve) => waiters.push(resolve)).then(check);
    },
    digest(): Promise<string> {
      check();
      return new Promise<string>((resolve, reject) => {
        onDigest = (hex) => {
          resolve(hex);
          void worker.terminate();
        };
        worker.once('error', reject);
        worker.postMessage(null);
      });
    }
  };
}
