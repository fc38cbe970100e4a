import { describe, expect, it } from 'vitest';
import type { Remote } from './comlink';
import type { FileJobRequest, FileJobResult, FileJobWorkerApi, JobProgressCallback } from './file-job-api';
import { runnerFor } from './worker-runner';

/** The worker's side, in this thread: jobs settle when the test says, progress is reported by job id. */
function inThreadWorker() {
  let progress: JobProgressCallback | undefined;
  const settle = new Map<number, (r: FileJobResult) => void>();
  const api = {
    reportProgress: async (cb: JobProgressCallback) => void (progress = cb),
    run: (request: FileJobRequest) =>
      new Promise<FileJobResult>((resolve) => settle.set(request.id, resolve)),
    cancel: async () => undefined
  };
  return {
    api: api as unknown as Remote<FileJobWorkerApi>,
    progress: (id: number, done: number, total: number) => progress?.(id, done, total),
    finish: (id: number) =>
      settle.get(id)?.({ sha256: '', gitSha1: null, report: {} as FileJobResult['report'] })
  };
}

const request = (id: number): FileJobRequest => ({ id, path: `f${id}`, file: new File([], `f${id}`) });

describe('runnerFor: one progress callback per worker, routed to each job', () => {
  it('gives each running job its own progress, and none after it settled', async () => {
    const worker = inThreadWorker();
    const runner = runnerFor({
      api: worker.api,
      crashed: new Promise<never>(() => undefined),
      terminate: () => {}
    });
    await Promise.resolve(); // the callback is registered before the first run reaches the worker
    const seen: string[] = [];
    const one = runner.run(request(1), (done, total) => seen.push(`1:${done}/${total}`));
    const two = runner.run(request(2), (done, total) => seen.push(`2:${done}/${total}`));
    worker.progress(2, 5, 10);
    worker.progress(1, 3, 8);
    worker.finish(1);
    await one;
    worker.progress(1, 8, 8);
    worker.progress(2, 10, 10);
    worker.finish(2);
    await two;
    expect(seen).toEqual(['2:5/10', '1:3/8', '2:10/10']);
  });
});
