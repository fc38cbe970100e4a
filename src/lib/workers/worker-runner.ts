import { callback, connect } from './comlink';
import type { FileJobWorkerApi } from './file-job-api';
import { WORKER_CRASHED, type JobRunner } from './file-job-pool';

/** A JobRunner backed by a dedicated module worker. */
export function createWorkerRunner(): JobRunner {
  const worker = new Worker(new URL('./file-job.worker.ts', import.meta.url), { type: 'module' });
  const { api, crashed, terminate } = connect<FileJobWorkerApi>(worker, (message) => {
    const err = new Error(message || 'the worker stopped unexpectedly');
    err.name = WORKER_CRASHED;
    return err;
  });
  return {
    run: (request, onProgress) => Promise.race([api.run(request, callback(onProgress)), crashed]),
    cancel: (id) => void api.cancel(id).catch(() => undefined),
    terminate
  };
}
