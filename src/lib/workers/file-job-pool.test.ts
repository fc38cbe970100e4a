import { describe, expect, it, vi } from 'vitest';
import type { FileJobRequest, FileJobResult, ProgressCallback } from './file-job-api';
import { FileJobPool, poolSize, WORKER_CRASHED, type JobRunner, type PoolJob } from './file-job-pool';

interface Call {
  request: FileJobRequest;
  onProgress: ProgressCallback;
  resolve(result: FileJobResult): void;
  reject(err: unknown): void;
}

/** A runner whose jobs settle only when the test says so, recording what the pool asked of it. */
class ManualRunner implements JobRunner {
  calls: Call[] = [];
  cancels: number[] = [];
  terminated = false;
  honourCancel = true;

  run(request: FileJobRequest, onProgress: ProgressCallback): Promise<FileJobResult> {
    return new Promise((resolve, reject) => this.calls.push({ request, onProgress, resolve, reject }));
  }
  cancel(id: number): void {
    this.cancels.push(id);
    const call = this.calls.find((c) => c.request.id === id);
    if (this.honourCancel && call) call.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
  }
  terminate(): void {
    this.terminated = true;
  }
}

function job(id: number, size: number): PoolJob {
  return { id, size, path: `f${id}`, file: new File([new Uint8Array(0)], `f${id}`) };
}

function result(id: number): FileJobResult {
  return {
    sha256: `sha-${id}`,
    gitSha1: `git-${id}`,
    report: { path: `f${id}`, size: 0, formats: [], verdict: 'clean', complete: true, findings: [] }
  };
}

function setup(size: number, cancelGraceMs = 1500) {
  const runners: ManualRunner[] = [];
  const log: string[] = [];
  const pool = new FileJobPool(
    () => {
      const r = new ManualRunner();
      runners.push(r);
      return r;
    },
    {
      started: (id) => log.push(`start ${id}`),
      progress: (id, done, total) => log.push(`progress ${id} ${done}/${total}`),
      finished: (id, r) => log.push(`done ${id} ${r.sha256}`),
      failed: (id, e) => log.push(`fail ${id} ${e.name}: ${e.message}`),
      cancelled: (id) => log.push(`cancel ${id}`)
    },
    { size, cancelGraceMs }
  );
  return { pool, runners, log };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('poolSize', () => {
  it('uses one worker per core, at least one and at most the cap', () => {
    expect(poolSize(undefined)).toBe(1);
    expect(poolSize(0)).toBe(1);
    expect(poolSize(2)).toBe(2);
    expect(poolSize(16)).toBe(4);
    expect(poolSize(16, 8)).toBe(8);
  });
});

describe('FileJobPool', () => {
  it('starts the largest files first and never runs more jobs than workers', async () => {
    const { pool, runners, log } = setup(2);
    pool.add([job(1, 10), job(2, 500), job(3, 0), job(4, 70)]);
    expect(log).toEqual(['start 2', 'start 4']);
    expect(runners).toHaveLength(2);
    expect(pool.running).toBe(2);
    expect(pool.pending).toBe(2);

    runners[1].calls[0].resolve(result(4));
    await tick();
    expect(log.slice(2)).toEqual(['done 4 sha-4', 'start 1']);
    expect(runners[1].calls[1].request.id).toBe(1);
    expect(runners).toHaveLength(2);
  });

  it('keeps going after one file fails', async () => {
    const { pool, runners, log } = setup(1);
    pool.add([job(1, 2), job(2, 1)]);
    runners[0].calls[0].reject(Object.assign(new Error('gone'), { name: 'NotReadableError' }));
    await tick();
    runners[0].calls[1].resolve(result(2));
    await tick();
    expect(log).toEqual(['start 1', 'fail 1 NotReadableError: gone', 'start 2', 'done 2 sha-2']);
  });

  it('forwards progress only for the job a worker is running', async () => {
    const { pool, runners, log } = setup(1);
    pool.add([job(1, 100)]);
    runners[0].calls[0].onProgress(50, 100);
    runners[0].calls[0].resolve(result(1));
    await tick();
    runners[0].calls[0].onProgress(60, 100); // late message after completion
    expect(log).toEqual(['start 1', 'progress 1 50/100', 'done 1 sha-1']);
  });

  it('cancels a queued job without touching the workers', () => {
    const { pool, runners, log } = setup(1);
    pool.add([job(1, 100), job(2, 1)]);
    pool.cancel(2);
    expect(log).toEqual(['start 1', 'cancel 2']);
    expect(runners[0].cancels).toEqual([]);
    expect(pool.pending).toBe(0);
  });

  it('asks the worker to stop a running job and starts the next one when it does', async () => {
    const { pool, runners, log } = setup(1);
    pool.add([job(1, 100), job(2, 1)]);
    pool.cancel(1);
    await tick();
    expect(runners[0].cancels).toEqual([1]);
    expect(runners[0].terminated).toBe(false);
    expect(log).toEqual(['start 1', 'cancel 1', 'start 2']);
  });

  it('terminates and replaces a worker that ignores a cancel once the grace period is over', async () => {
    vi.useFakeTimers();
    try {
      const { pool, runners, log } = setup(1, 20);
      pool.add([job(1, 100), job(2, 1)]);
      runners[0].honourCancel = false;
      pool.cancel(1);
      await vi.advanceTimersByTimeAsync(19);
      expect(runners[0].terminated).toBe(false);
      expect(runners).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(runners[0].terminated).toBe(true);
      expect(runners).toHaveLength(2);
      expect(runners[1].calls[0].request.id).toBe(2);
      runners[0].calls[0].resolve(result(1)); // a stale settlement is ignored
      await vi.advanceTimersByTimeAsync(0);
      expect(log).toEqual(['start 1', 'cancel 1', 'start 2']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancel all empties the queue and stops every running job', async () => {
    const { pool, log } = setup(2);
    pool.add([job(1, 3), job(2, 2), job(3, 1)]);
    pool.cancelAll();
    await tick();
    expect(log.filter((l) => l.startsWith('cancel')).sort()).toEqual(['cancel 1', 'cancel 2', 'cancel 3']);
    expect(pool.running).toBe(0);
    expect(pool.pending).toBe(0);
  });
});

describe('FileJobPool with a crashing worker', () => {
  it('fails the job it was running and replaces the worker for the next one', async () => {
    const { pool, runners, log } = setup(1);
    pool.add([job(1, 2), job(2, 1)]);
    runners[0].calls[0].reject(Object.assign(new Error('out of memory'), { name: WORKER_CRASHED }));
    await tick();
    expect(runners[0].terminated).toBe(true);
    expect(runners).toHaveLength(2);
    runners[1].calls[0].resolve(result(2));
    await tick();
    expect(log).toEqual(['start 1', 'fail 1 WorkerCrashed: out of memory', 'start 2', 'done 2 sha-2']);
  });
});
