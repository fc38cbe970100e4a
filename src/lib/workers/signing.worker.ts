// @sigstore/* reads the Buffer global while its modules load: this import must stay first.
import '../shims/install-buffer';
import * as Comlink from 'comlink';
import type { SigningWorkerApi } from './signing-api';
import { runSigning, trustSummary } from './signing-run';
import { throttleProgress } from './throttle';

let running: AbortController | undefined;

const api: SigningWorkerApi = {
  trust: (file) => trustSummary(file),
  async verify(request, onProgress) {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    try {
      return await runSigning(request, {
        signal: controller.signal,
        onProgress: throttleProgress(onProgress)
      });
    } finally {
      if (running === controller) running = undefined;
    }
  },
  cancel() {
    running?.abort();
  }
};

Comlink.expose(api);
