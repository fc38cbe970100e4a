import { callback, connect, type WorkerConnection } from './comlink';
import type { FileJobWorkerApi, ProgressCallback } from './file-job-api';
import { WORKER_CRASHED, type JobRunner } from './file-job-pool';

/** A JobRunner backed by a dedicated module worker. */
export function createWorkerRunner(): JobRunner {
  const worker = new Worker(new URL('./file-job.worker.ts', import.meta.url), { type: 'module' });
  return runnerFor(
    connect<FileJobWorkerApi>(worker, (message) => {
      const err = new Error(message || 'the worker stopped unexpectedly');
      err.name = WORKER_CRASHED;
      return err;
    })
  );
}

/** The JobRunner over a connected file-job worker: one progress callback for all its jobs, routed by job id. */
export function runnerFor({ api, crashed, terminate }: WorkerConnection<FileJobWorkerApi>): JobRunner {
  const listeners = new Map<number, ProgressCallback>();
  // A worker that fails to start rejects this too; `crashed` reports that to the jobs.
  api
    .reportProgress(callback((id: number, done: number, total: number) => listeners.get(id)?.(done, total)))
    .catch(() => undefined);
  return {
    run: (request, onProgress) => {
      listeners.set(request.id, onProgress);
      return Promise.race([api.run(request), crashed]).finally(() => listeners.delete(request.id));
    },
    cancel: (id) => void api.cancel(id).catch(() => undefined),
    terminate
  };
}
