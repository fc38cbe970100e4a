import * as Comlink from 'comlink';
import type { ConvertProgress } from '../core/convert/convert';
import type { ConversionReport } from '../core/convert/report';
import type { ConvertRequest, ConvertWorkerApi } from './convert-api';

export interface ConvertJob {
  result: Promise<ConversionReport>;
  cancel(): void;
}

/** Runs one conversion in its own worker, which ends with it; a crashed worker rejects the result. */
export function startConversion(
  request: ConvertRequest,
  onProgress: (p: ConvertProgress) => void
): ConvertJob {
  const worker = new Worker(new URL('./convert.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<ConvertWorkerApi>(worker);
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) =>
      reject(new Error(`the conversion worker stopped unexpectedly (${event.message || 'no message'})`))
    )
  );
  const result = Promise.race([api.convert(request, Comlink.proxy(onProgress)), crashed]).finally(() =>
    worker.terminate()
  );
  return {
    result,
    cancel: () => void api.cancel().catch(() => undefined)
  };
}
