import * as Comlink from 'comlink';
import type { DigestWorkerApi } from './digest-api';

export type GitSha1Of = (file: Blob) => Promise<string>;

/**
 * Git blob SHA-1s of whole files, computed in one digest worker started on first use, one file at a time (they
 * are the rare large files a listing stores in plain git). `dispose` stops the worker.
 */
export function createGitSha1Worker(): { gitBlobSha1: GitSha1Of; dispose: () => void } {
  let started: { worker: Worker; api: Comlink.Remote<DigestWorkerApi>; crashed: Promise<never> } | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const start = () => {
    const worker = new Worker(new URL('./digest.worker.ts', import.meta.url), { type: 'module' });
    // A worker that fails to load would leave comlink's promise pending forever.
    const crashed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (e) => reject(new Error(e.message || 'the worker stopped')))
    );
    crashed.catch(() => undefined);
    return { worker, api: Comlink.wrap<DigestWorkerApi>(worker), crashed };
  };
  return {
    gitBlobSha1(file) {
      const run = queue.then(() => {
        started ??= start();
        return Promise.race([started.api.gitBlobSha1(file), started.crashed]);
      });
      queue = run.catch(() => {
        started?.worker.terminate();
        started = undefined;
      });
      return run;
    },
    dispose() {
      started?.worker.terminate();
      started = undefined;
    }
  };
}
