import * as Comlink from 'comlink';
import type { FileJobWorkerApi } from './file-job-api';
import type { JobRunner } from './file-job-pool';

/** A JobRunner backed by a dedicated module worker. */
export function createWorkerRunner(): JobRunner {
  const worker = new Worker(new URL('./file-job.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<FileJobWorkerApi>(worker);
  return {
    run: (request, onProgress) => api.run(request, Comlink.proxy(onProgress)),
    cancel: (id) => void api.cancel(id).catch(() => undefined),
    terminate: () => worker.terminate()
  };
}
