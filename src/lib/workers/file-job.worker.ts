import { serve } from './comlink';
import type { FileJobWorkerApi } from './file-job-api';
import { runFileJob } from './file-job-run';

const running = new Map<number, AbortController>();

const api: FileJobWorkerApi = {
  async run(request, onProgress) {
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      return await runFileJob(request, onProgress, controller.signal);
    } finally {
      running.delete(request.id);
    }
  },
  cancel(id) {
    running.get(id)?.abort();
  }
};

serve(api);
