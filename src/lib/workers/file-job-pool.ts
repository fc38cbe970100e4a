import type { FileJobRequest, FileJobResult, ProgressCallback } from './file-job-api';
import { LargestFirstQueue } from './job-queue';

/** One worker (or a fake in tests) that runs one job at a time. */
export interface JobRunner {
  run(request: FileJobRequest, onProgress: ProgressCallback): Promise<FileJobResult>;
  cancel(id: number): void;
  terminate(): void;
}

export interface PoolJob {
  id: number;
  file: File;
  path: string;
  size: number;
}

/** A rejection as plain data: errors cross postMessage as copies, so never rely on instanceof. */
export interface JobError {
  name: string;
  message: string;
}

export interface PoolEvents {
  started(id: number): void;
  progress(id: number, done: number, total: number): void;
  finished(id: number, result: FileJobResult): void;
  failed(id: number, error: JobError): void;
  cancelled(id: number): void;
}

export interface PoolOptions {
  size: number;
  /** How long a running job may take to honour a cancel before its worker is terminated and replaced. */
  cancelGraceMs?: number;
}

interface Slot {
  runner: JobRunner | undefined;
  job: PoolJob | undefined;
  cancelTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Error name a runner uses when its worker died; the pool then replaces that worker. */
export const WORKER_CRASHED = 'WorkerCrashed';

export function poolSize(hardwareConcurrency: number | undefined, cap = 4): number {
  const cores = Number.isFinite(hardwareConcurrency) ? Math.floor(hardwareConcurrency as number) : 1;
  return Math.max(1, Math.min(cap, cores));
}

function toJobError(err: unknown): JobError {
  if (typeof err === 'object' && err !== null) {
    const { name, message } = err as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : String(err)
    };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * Runs jobs on up to `size` runners, largest file first. Runners are created on demand and reused.
 * A cancelled job that does not stop within the grace period has its runner terminated and replaced.
 */
export class FileJobPool {
  private readonly queue = new LargestFirstQueue<PoolJob>();
  private readonly slots: Slot[];
  private readonly graceMs: number;

  constructor(
    private readonly createRunner: () => JobRunner,
    private readonly events: PoolEvents,
    { size, cancelGraceMs = 1500 }: PoolOptions
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({
      runner: undefined,
      job: undefined,
      cancelTimer: undefined
    }));
    this.graceMs = cancelGraceMs;
  }

  get pending(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.slots.filter((slot) => slot.job).length;
  }

  add(jobs: readonly PoolJob[]): void {
    this.queue.push(jobs);
    this.pump();
  }

  cancel(id: number): void {
    if (this.queue.remove(id)) {
      this.events.cancelled(id);
      return;
    }
    const slot = this.slots.find((s) => s.job?.id === id);
    if (!slot || slot.cancelTimer) return;
    slot.runner?.cancel(id);
    slot.cancelTimer = setTimeout(() => this.forceStop(slot, id), this.graceMs);
  }

  cancelAll(): void {
    for (const job of this.queue.clear()) this.events.cancelled(job.id);
    for (const slot of this.slots) if (slot.job) this.cancel(slot.job.id);
  }

  dispose(): void {
    this.queue.clear();
    for (const slot of this.slots) {
      clearTimeout(slot.cancelTimer);
      slot.runner?.terminate();
      slot.runner = undefined;
      slot.job = undefined;
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      this.start(slot, job);
    }
  }

  private start(slot: Slot, job: PoolJob): void {
    slot.job = job;
    slot.runner ??= this.createRunner();
    const runner = slot.runner;
    this.events.started(job.id);
    const isCurrent = () => slot.job === job && slot.runner === runner;
    runner
      .run({ id: job.id, file: job.file, path: job.path }, (done, total) => {
        if (isCurrent()) this.events.progress(job.id, done, total);
      })
      .then(
        (result) => {
          if (isCurrent()) this.settle(slot, () => this.events.finished(job.id, result));
        },
        (err: unknown) => {
          if (!isCurrent()) return;
          const error = toJobError(err);
          const cancelled = error.name === 'AbortError' || slot.cancelTimer !== undefined;
          if (error.name === WORKER_CRASHED) {
            runner.terminate();
            slot.runner = undefined;
          }
          this.settle(slot, () =>
            cancelled ? this.events.cancelled(job.id) : this.events.failed(job.id, error)
          );
        }
      );
  }

  private settle(slot: Slot, report: () => void): void {
    clearTimeout(slot.cancelTimer);
    slot.cancelTimer = undefined;
    slot.job = undefined;
    report();
    this.pump();
  }

  private forceStop(slot: Slot, id: number): void {
    if (slot.job?.id !== id) return;
    slot.runner?.terminate();
    slot.runner = undefined;
    this.settle(slot, () => this.events.cancelled(id));
  }
}
