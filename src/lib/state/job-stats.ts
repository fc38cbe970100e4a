import type { Verdict } from '../core/findings';
import type { FileJob } from './file-job';

export interface JobStats {
  files: number;
  queued: number;
  hashing: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Bytes expected in the current batch (cancelled and failed files count only what was read). */
  batchBytes: number;
  batchDoneBytes: number;
  /** Bytes per second over the current batch, 0 before there is anything to measure. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; undefined when unknown. */
  secondsLeft: number | undefined;
  verdicts: Partial<Record<Verdict, number>>;
}

export function summarize(
  jobs: readonly FileJob[],
  batch: number,
  batchStart: number,
  now: number
): JobStats {
  const stats: JobStats = {
    files: jobs.length,
    queued: 0,
    hashing: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    batchBytes: 0,
    batchDoneBytes: 0,
    bytesPerSecond: 0,
    secondsLeft: undefined,
    verdicts: {}
  };
  let active = false;
  for (const job of jobs) {
    if (job.state === 'queued') stats.queued++;
    else if (job.state === 'hashing') stats.hashing++;
    else if (job.state === 'done') stats.done++;
    else if (job.state === 'error') stats.failed++;
    else stats.cancelled++;
    if (job.report) stats.verdicts[job.report.verdict] = (stats.verdicts[job.report.verdict] ?? 0) + 1;
    if (job.batch !== batch) continue;
    const settledEarly = job.state === 'error' || job.state === 'cancelled';
    stats.batchBytes += settledEarly ? job.done : job.size;
    stats.batchDoneBytes += job.done;
    if (job.state === 'queued' || job.state === 'hashing') active = true;
  }
  const elapsed = (now - batchStart) / 1000;
  if (elapsed > 0.2 && stats.batchDoneBytes > 0) {
    stats.bytesPerSecond = stats.batchDoneBytes / elapsed;
    if (active) stats.secondsLeft = (stats.batchBytes - stats.batchDoneBytes) / stats.bytesPerSecond;
  }
  return stats;
}
