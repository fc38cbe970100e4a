import { describe, expect, it } from 'vitest';
import type { FileJob } from './file-job';
import { summarize } from './job-stats';

function job(id: number, patch: Partial<FileJob>): FileJob {
  return {
    id,
    path: `f${id}`,
    size: 100,
    batch: 1,
    state: 'queued',
    done: 0,
    sha256: '',
    gitSha1: '',
    ...patch
  };
}

describe('summarize', () => {
  it('counts states and computes rate and time left over the current batch', () => {
    const jobs = [
      job(1, { batch: 0, state: 'done', done: 100 }),
      job(2, { state: 'hashing', done: 50 }),
      job(3, { state: 'queued' }),
      job(4, { state: 'cancelled', done: 25 })
    ];
    const s = summarize(jobs, 1, 1000, 3000);
    expect([s.files, s.done, s.hashing, s.queued, s.cancelled]).toEqual([4, 1, 1, 1, 1]);
    expect(s.batchBytes).toBe(225); // 100 + 100 + the 25 read before cancelling
    expect(s.batchDoneBytes).toBe(75);
    expect(s.bytesPerSecond).toBe(37.5);
    expect(s.secondsLeft).toBe(4);
  });

  it('gives no estimate before anything was read and none once the batch is finished', () => {
    expect(summarize([job(1, {})], 1, 0, 5000).secondsLeft).toBeUndefined();
    const finished = summarize([job(1, { state: 'done', done: 100 })], 1, 0, 2000);
    expect(finished.secondsLeft).toBeUndefined();
    expect(finished.bytesPerSecond).toBe(50);
  });

  it('tallies verdicts from reports', () => {
    const report = { path: 'x', size: 1, formats: [], complete: true, findings: [] };
    const s = summarize(
      [
        job(1, { state: 'done', report: { ...report, verdict: 'critical' } }),
        job(2, { state: 'done', report: { ...report, verdict: 'clean' } }),
        job(3, { state: 'done', report: { ...report, verdict: 'critical' } })
      ],
      1,
      0,
      0
    );
    expect(s.verdicts).toEqual({ critical: 2, clean: 1 });
  });
});
