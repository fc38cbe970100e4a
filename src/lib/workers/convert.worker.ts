import { serve } from './comlink';
import { createSHA256 } from 'hash-wasm';
import { blobSource } from '../core/bytes/byte-source';
import { convertToSafetensors } from '../core/convert/convert';
import type { ConvertWorkerApi } from './convert-api';
import { destinationTarget } from './convert-destination';

let running: AbortController | undefined;

const PROGRESS_INTERVAL_MS = 100;

const api: ConvertWorkerApi = {
  async convert(request, onProgress) {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    let last = 0;
    try {
      return await convertToSafetensors(
        [{ source: blobSource(request.file, request.path), path: request.path, sha256: request.sha256 }],
        destinationTarget(request.destination),
        {
          outputName: request.outputName,
          createHasher: createSHA256,
          signal: controller.signal,
          onProgress(p) {
            const now = Date.now();
            if (p.phase === 'writing' && p.done < p.total && now - last < PROGRESS_INTERVAL_MS) return;
            last = now;
            onProgress(p);
          }
        }
      );
    } finally {
      if (running === controller) running = undefined;
    }
  },
  cancel() {
    running?.abort();
  }
};

serve(api);
