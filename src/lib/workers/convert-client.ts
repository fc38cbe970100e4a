import { callback, connect } from './comlink';
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
  const { api, crashed, terminate } = connect<ConvertWorkerApi>(
    worker,
    (message) => new Error(`the conversion worker stopped unexpectedly (${message || 'no message'})`)
  );
  const result = Promise.race([api.convert(request, callback(onProgress)), crashed]).finally(terminate);
  return {
    result,
    cancel: () => void api.cancel().catch(() => undefined)
  };
}
