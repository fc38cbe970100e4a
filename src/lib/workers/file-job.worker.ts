import { serve } from './comlink';
import type { FileJobWorkerApi, JobProgressCallback } from './file-job-api';
import { runFileJob } from './file-job-run';

const running = new Map<number, AbortController>();
let progress: JobProgressCallback | undefined;

const api: FileJobWorkerApi = {
  reportProgress(onProgress) {
    progress = onProgress;
  },
  async run(request) {
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      return await runFileJob(
        request,
        (done, total) => progress?.(request.id, done, total),
        controller.signal
      );
    } finally {
      running.delete(request.id);
    }
  },
  cancel(id) {
    running.get(id)?.abort();
  }
};

serve(api);
