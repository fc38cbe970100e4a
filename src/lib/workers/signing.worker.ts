// @sigstore/* reads the Buffer global while its modules load: this import must stay first.
import '../shims/install-buffer';
import { serve } from './comlink';
import { createDigestPool } from './digest-pool';
import type { SigningWorkerApi } from './signing-api';
import { inspectBundleFile, runSigning, trustSummary } from './signing-run';
import { throttleProgress } from './throttle';

let running: AbortController | undefined;
// Files and shards that need hashing here (blake2b, blake3, shards) are spread over one worker per core.
const digests = createDigestPool();

const api: SigningWorkerApi = {
  trust: (file) => trustSummary(file),
  async verify(request, onProgress) {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    try {
      return await runSigning(request, {
        signal: controller.signal,
        onProgress: throttleProgress(onProgress),
        digest: digests.digester,
        concurrency: digests.size
      });
    } finally {
      if (running === controller) running = undefined;
    }
  },
  inspect: (bundle) => inspectBundleFile(bundle),
  cancel() {
    running?.abort();
  }
};

serve(api);
