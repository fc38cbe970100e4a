import { FileJobPool, poolSize, type PoolEvents } from '../workers/file-job-pool';
import type { FileJobResult } from '../workers/file-job-api';
import { createWorkerRunner } from '../workers/worker-runner';
import { describeJobError, isActive, type FileJob, type PickedFile, type UnreadEntry } from './file-job';
import { summarize } from './job-stats';
import { applyFolderChecks } from '../core/folder/cross-check';
import type { FileReport } from '../core/findings';
import type { StoredJob } from '../storage/session-idb';

type Patch = Partial<Omit<FileJob, 'id' | 'path' | 'size' | 'batch'>>;

function defaultPool(events: PoolEvents): FileJobPool {
  return new FileJobPool(createWorkerRunner, events, { size: poolSize(navigator.hardwareConcurrency) });
}

/**
 * All files of this page and their progress. Worker events are merged into patches and applied once per
 * animation frame, replacing only the changed job objects, so thousands of files stay cheap to render.
 */
export class ScanSession {
  jobs = $state.raw<FileJob[]>([]);
  /** Polite status text for screen readers, set when a batch finishes. */
  announcement = $state('');
  private now = $state(0);
  private batch = $state(0);
  private batchStart = $state(0);

  readonly stats = $derived(summarize(this.jobs, this.batch, this.batchStart, this.now));
  readonly busy = $derived(this.stats.queued + this.stats.hashing > 0);

  private pool: FileJobPool | undefined;
  private readonly remoteStops = new Set<() => void>();
  private nextId = 1;
  private readonly index = new Map<number, number>();
  private readonly patches = new Map<number, Patch>();
  private flushScheduled = false;

  constructor(private readonly createPool: (events: PoolEvents) => FileJobPool = defaultPool) {}

  /** Queues the picked files; entries the browser could not read join the list as error rows. */
  add(picked: readonly PickedFile[], unread: readonly UnreadEntry[] = []): void {
    if (picked.length === 0 && unread.length === 0) return;
    const added = this.append([
      ...picked.map(({ file, path }) => ({ path, size: file.size, file })),
      ...unread.map(({ path, reason }) => ({
        path,
        size: 0,
        state: 'error' as const,
        error: reason,
        endedAt: Date.now()
      }))
    ]).slice(0, picked.length);
    if (added.length === 0) return;
    this.pool ??= this.createPool(this.events);
    this.pool.add(added.map((j, i) => ({ id: j.id, file: picked[i].file, path: j.path, size: j.size })));
  }

  /**
   * Rows for files read in place on the Hub (no File): they start queued and get their reports from the Hub
   * scan, through `remoteStarted` / `remoteSettled`; `stop` ends that scan (Cancel all). Returns the row ids in
   * the order given.
   */
  addRemote(files: readonly { path: string; size: number }[], stop: () => void): number[] {
    this.remoteStops.add(stop);
    return this.append(files.map((f) => ({ ...f, remote: true }))).map((job) => job.id);
  }

  /** The Hub scan that registered `stop` has ended. */
  remoteEnded(stop: () => void): void {
    this.remoteStops.delete(stop);
  }

  /** New rows in the current batch (a new one unless busy), queued unless said; a restored row of a path goes. */
  private append(
    rows: readonly (Pick<FileJob, 'path' | 'size'> &
      Partial<Pick<FileJob, 'file' | 'remote' | 'state' | 'error' | 'endedAt'>>)[]
  ): FileJob[] {
    this.flush();
    if (!this.busy) {
      this.batch++;
      this.batchStart = Date.now();
      this.announcement = '';
    }
    this.dropRestored(new Set(rows.map((r) => r.path)));
    const added: FileJob[] = rows.map((row) => ({
      state: 'queued',
      ...row,
      id: this.nextId++,
      batch: this.batch,
      done: 0,
      sha256: '',
      gitSha1: ''
    }));
    const start = this.jobs.length;
    added.forEach((job, i) => this.index.set(job.id, start + i));
    this.jobs = [...this.jobs, ...added];
    return added;
  }

  remoteStarted(id: number): void {
    this.patch(id, { state: 'hashing', startedAt: Date.now() });
  }

  /** A finished Hub file (report) or one the scan could not reach (error), or cancelled. */
  remoteSettled(id: number, outcome: { report: FileReport } | { error: string } | 'cancelled'): void {
    if (outcome === 'cancelled') return this.patch(id, { state: 'cancelled', endedAt: Date.now() });
    if ('error' in outcome)
      return this.patch(id, { state: 'error', error: outcome.error, endedAt: Date.now() });
    const { report } = outcome;
    this.patch(id, {
      state: 'done',
      done: report.origin?.bytesFetched ?? report.size,
      sha256: report.sha256 ?? '',
      gitSha1: report.gitSha1 ?? '',
      report,
      scanReport: report,
      endedAt: Date.now()
    });
  }

  /** Puts back the results of an earlier visit (settled files only, without their File), ahead of new ones. */
  restore(stored: readonly StoredJob[]): void {
    this.flush();
    const present = new Set(this.jobs.map((j) => j.path));
    const back: FileJob[] = stored
      .filter((s) => !present.has(s.path) && s.state !== 'queued' && s.state !== 'hashing')
      .map((s) => ({ ...s, id: this.nextId++, batch: 0, restored: true }));
    if (back.length === 0) return;
    this.jobs = [...back, ...this.jobs];
    this.reindex();
  }

  /** Removes the rows brought back from the last visit (and so, once saved, their stored copy). */
  forgetRestored(): void {
    this.flush();
    this.jobs = this.jobs.filter((j) => !j.restored);
    this.reindex();
  }

  /** A file dropped again replaces its restored row: the new one can be re-read. */
  private dropRestored(paths: ReadonlySet<string>): void {
    if (!this.jobs.some((j) => j.restored && paths.has(j.path))) return;
    this.jobs = this.jobs.filter((j) => !(j.restored && paths.has(j.path)));
    this.reindex();
  }

  private reindex(): void {
    this.index.clear();
    this.jobs.forEach((job, i) => this.index.set(job.id, i));
  }

  cancel(id: number): void {
    this.pool?.cancel(id);
  }

  cancelAll(): void {
    this.pool?.cancelAll();
    for (const stop of [...this.remoteStops]) stop();
  }

  /** Removes finished, failed and cancelled files from the list. */
  clearSettled(): void {
    this.flush();
    this.jobs = this.jobs.filter(isActive);
    this.reindex();
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
  }

  private readonly events: PoolEvents = {
    started: (id) => this.patch(id, { state: 'hashing', startedAt: Date.now() }),
    progress: (id, done) => this.patch(id, { done }),
    finished: (id, result: FileJobResult) =>
      this.patch(id, {
        state: 'done',
        done: result.report.size,
        sha256: result.sha256,
        gitSha1: result.gitSha1,
        report: result.report,
        scanReport: result.report,
        endedAt: Date.now()
      }),
    failed: (id, error) =>
      this.patch(id, {
        state: 'error',
        error: describeJobError(error.name, error.message),
        endedAt: Date.now()
      }),
    cancelled: (id) => this.patch(id, { state: 'cancelled', endedAt: Date.now() })
  };

  private patch(id: number, patch: Patch): void {
    this.patches.set(id, { ...this.patches.get(id), ...patch });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // requestAnimationFrame pauses in background tabs; the timeout keeps state (and tests) moving there.
    const timer = setTimeout(() => this.flush(), 250);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      this.flush();
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.patches.size === 0) return;
    const wasBusy = this.busy;
    const jobs = this.jobs.slice();
    for (const [id, patch] of this.patches) {
      const i = this.index.get(id);
      if (i !== undefined) jobs[i] = { ...jobs[i], ...patch };
    }
    this.patches.clear();
    this.now = Date.now();
    this.jobs = jobs;
    if (wasBusy && !this.busy) {
      this.jobs = withFolderChecks(jobs);
      this.announcement = this.completionText();
    }
  }

  private completionText(): string {
    const s = this.stats;
    const attention = (['critical', 'high', 'medium'] as const).reduce((n, v) => n + (s.verdicts[v] ?? 0), 0);
    const parts = [`${s.done} done`];
    if (s.failed) parts.push(`${s.failed} could not be read`);
    if (s.cancelled) parts.push(`${s.cancelled} cancelled`);
    parts.push(attention ? `${attention} need attention` : 'no medium or higher findings');
    return `Finished: ${parts.join(', ')}.`;
  }
}

/** A dropped folder is one model: adds what files say about each other (missing shards, remote code …). */
function withFolderChecks(jobs: FileJob[]): FileJob[] {
  const scanned = jobs.filter((j) => j.scanReport);
  const checked = applyFolderChecks(scanned.map((j) => j.scanReport!));
  const byId = new Map(scanned.map((j, i) => [j.id, checked[i]]));
  return jobs.map((j) =>
    byId.has(j.id) && byId.get(j.id) !== j.report ? { ...j, report: byId.get(j.id) } : j
  );
}
