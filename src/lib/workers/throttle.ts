import type { ProgressCallback } from './file-job-api';

/**
 * Limits progress callbacks to one per `intervalMs` (a postMessage each), always letting the first and
 * the final (done === total) call through so the UI never stalls short of 100 %.
 */
export function throttleProgress(
  callback: ProgressCallback,
  intervalMs = 100,
  now: () => number = () => Date.now()
): ProgressCallback {
  let last = -Infinity;
  return (done, total) => {
    const t = now();
    if (done < total && t - last < intervalMs) return;
    last = t;
    callback(done, total);
  };
}
