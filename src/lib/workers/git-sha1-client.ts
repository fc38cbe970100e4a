import { connect, type WorkerConnection } from './comlink';
import type { DigestWorkerApi } from './digest-api';

export type GitSha1Of = (file: Blob) => Promise<string>;

/**
 * Git blob SHA-1s of whole files, computed in one digest worker started on first use, one file at a time (they
 * are the rare large files a listing stores in plain git). `dispose` stops the worker.
 */
export function createGitSha1Worker(): { gitBlobSha1: GitSha1Of; dispose: () => void } {
  let started: WorkerConnection<DigestWorkerApi> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const start = () => {
    const worker = new Worker(new URL('./digest.worker.ts', import.meta.url), { type: 'module' });
    return connect<DigestWorkerApi>(worker, (message) => new Error(message || 'the worker stopped'));
  };
  return {
    gitBlobSha1(file) {
      const run = queue.then(() => {
        started ??= start();
        return Promise.race([started.api.gitBlobSha1(file), started.crashed]);
      });
      queue = run.catch(() => {
        started?.terminate();
        started = undefined;
      });
      return run;
    },
    dispose() {
      started?.terminate();
      started = undefined;
    }
  };
}
