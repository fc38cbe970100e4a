import * as Comlink from 'comlink';
import type { FileJobWorkerApi } from './file-job-api';
import { WORKER_CRASHED, type JobRunner } from './file-job-pool';

/** A JobRunner backed by a dedicated module worker. */
export function createWorkerRunner(): JobRunner {
  const worker = new Worker(new URL('./file-job.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<FileJobWorkerApi>(worker);
  // An uncaught error (out of memory, failed module load) would leave comlink's promise pending forever.
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) => {
      const err = new Error(event.message || 'the worker stopped unexpectedly');
      err.name = WORKER_CRASHED;
      reject(err);
    })
  );
  crashed.catch(() => undefined);
  return {
    run: (request, onProgress) => Promise.race([api.run(request, Comlink.proxy(onProgress)), crashed]),
    cancel: (id) => void api.cancel(id).catch(() => undefined),
    terminate: () => worker.terminate()
  };
}
