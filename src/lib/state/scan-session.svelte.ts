import { FileJobPool, poolSize, type PoolEvents, type PoolJob } from '../workers/file-job-pool';
import type { FileJobResult } from '../workers/file-job-api';
import { createWorkerRunner } from '../workers/worker-runner';
import { createGitSha1Worker, type GitSha1Of } from '../workers/git-sha1-client';
import { describeJobError, isActive, type FileJob, type PickedFile, type UnreadEntry } from './file-job';
import { summarize } from './job-stats';
import { applyFolderChecks } from '../core/folder/cross-check';
import type { FileReport } from '../core/findings';
import type { StoredJob } from '../storage/session-idb';

/** Longest stretch of job creation per task (the main thread must stay responsive; see `add`). */
const ADD_SLICE_MS = 8;
/**
 * Most rows per slice, for files whose size is already known (no `File.size` to read): each slice also
 * re-renders the list, and the first one starts the workers (measured: 1,000 rows at once = a 41 ms task).
 */
const ADD_SLICE_ROWS = 250;
/** The clock is read once per this many rows (reading it costs about as much as making a row). */
const CLOCK_EVERY = 16;
/**
 * How long the jobs of a drop being listed may wait before reading starts: the workers and the browser process
 * serving their reads would take both cores from the page while it builds the list (measured on 2 cores:
 * slices of 10–20 ms of work stretched to 50–120 ms tasks).
 */
const HOLD_READING_MS = 3000;

/** Above this many files, progress is applied every 250 ms rather than every frame. */
const BIG_SESSION = 2000;

/** What a new row is made of; the rest (id, batch, progress) is the session's. */
type NewRow = Pick<FileJob, 'path' | 'size'> &
  Partial<Pick<FileJob, 'file' | 'remote' | 'state' | 'error' | 'endedAt'>>;

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
  /** Files dropped whose jobs are still being created (see `add`). */
  adding = $state(0);
  readonly busy = $derived(this.stats.queued + this.stats.hashing + this.adding > 0);

  private pool: FileJobPool | undefined;
  private gitSha1Worker: ReturnType<typeof createGitSha1Worker> | undefined;
  private readonly gitSha1Running = new Set<number>();
  private readonly remoteStops = new Set<() => void>();
  private nextId = 1;
  private readonly index = new Map<number, number>();
  private readonly patches = new Map<number, Patch>();
  private flushScheduled = false;
  private toAdd: PickedFile[] = [];
  private addedFrom = 0;
  /** Jobs created but not yet handed to the pool (see HOLD_READING_MS), and since when. */
  private held: PoolJob[] = [];
  private heldSince = 0;
  private cancelPending = false;

  constructor(
    private readonly createPool: (events: PoolEvents) => FileJobPool = defaultPool,
    /** Computes a git blob SHA-1 of a whole file (default: a digest worker started on first use). */
    private readonly gitSha1Of?: GitSha1Of
  ) {}

  /**
   * Queues files for reading; entries the browser could not read join the list as error rows. Jobs are
   * created in slices of about ADD_SLICE_MS or ADD_SLICE_ROWS, each its own task (never the caller's, which may
   * already have spent its budget taking the files out of a message): reading a File's size can be a
   * synchronous call into the browser process (measured ≈0.2 ms per file), so a drop of 10,000 files made in
   * one go would freeze the page for seconds.
   */
  add(picked: readonly PickedFile[], unread: readonly UnreadEntry[] = []): void {
    if (picked.length === 0 && unread.length === 0) return;
    // Also starts a new batch when nothing is in progress, before the slices below make the session busy.
    this.append(
      unread.map(({ path, reason }) => ({
        path,
        size: 0,
        state: 'error' as const,
        error: reason,
        endedAt: Date.now()
      }))
    );
    if (picked.length === 0) return;
    const first = this.toAdd.length === 0;
    this.toAdd.push(...picked);
    this.adding = this.toAdd.length - this.addedFrom;
    if (first) setTimeout(() => this.addSlice(), 0);
  }

  private addSlice(): void {
    const started = performance.now();
    const rows: NewRow[] = [];
    const from = this.addedFrom;
    const end = Math.min(this.toAdd.length, from + ADD_SLICE_ROWS);
    while (
      this.addedFrom < end &&
      ((this.addedFrom - from) % CLOCK_EVERY !== 0 ||
        this.addedFrom === from ||
        performance.now() - started < ADD_SLICE_MS)
    ) {
      const { file, path, size = file.size } = this.toAdd[this.addedFrom++];
      rows.push({ path, size, file });
    }
    const more = this.addedFrom < this.toAdd.length;
    this.list(rows, started);
    if (!more || started - this.heldSince >= HOLD_READING_MS) this.release();
    if (more) {
      this.adding = this.toAdd.length - this.addedFrom;
      setTimeout(() => this.addSlice(), 0);
    } else {
      this.toAdd = [];
      this.addedFrom = 0;
      this.adding = 0;
      // Everything cancelled before it was queued: no worker event will report the batch as finished.
      if (this.cancelPending && !this.busy) this.settle();
      this.cancelPending = false;
    }
  }

  /**
   * Puts a slice's rows in the list; their jobs wait in `held`. Rows cancelled before their job existed are
   * listed as cancelled (never silently dropped) and not read.
   */
  private list(rows: readonly NewRow[], now: number): void {
    const listed = this.cancelPending
      ? rows.map((row): NewRow => ({ ...row, state: 'cancelled', endedAt: Date.now() }))
      : rows;
    if (this.held.length === 0) this.heldSince = now;
    for (const job of this.append(listed))
      if (job.state === 'queued' && job.file)
        this.held.push({ id: job.id, file: job.file, path: job.path, size: job.size });
  }

  /** Hands the held jobs to the pool (started on first use). */
  private release(): void {
    if (this.held.length === 0) return;
    this.pool ??= this.createPool(this.events);
    this.pool.add(this.held);
    this.held = [];
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
  private append(rows: readonly NewRow[]): FileJob[] {
    this.flush();
    if (!this.busy) {
      this.batch++;
      this.batchStart = Date.now();
      this.announcement = '';
    }
    this.dropRestored(rows);
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
    this.jobs = this.jobs.concat(added);
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

  /**
   * A file dropped again replaces its restored row: the new one can be re-read. Restored rows are always the
   * list's first rows (`restore` puts them ahead; nothing is inserted before them), so only those are looked at.
   */
  private dropRestored(rows: readonly NewRow[]): void {
    let restored = 0;
    while (this.jobs[restored]?.restored) restored++;
    if (restored === 0) return;
    const paths = new Set(rows.map((r) => r.path));
    if (!this.jobs.slice(0, restored).some((j) => paths.has(j.path))) return;
    this.jobs = this.jobs.filter((j) => !(j.restored && paths.has(j.path)));
    this.reindex();
  }

  private reindex(): void {
    this.index.clear();
    this.jobs.forEach((job, i) => this.index.set(job.id, i));
  }

  cancel(id: number): void {
    const i = this.held.findIndex((job) => job.id === id);
    if (i < 0) return this.pool?.cancel(id);
    this.held.splice(i, 1);
    this.events.cancelled(id);
  }

  cancelAll(): void {
    if (this.toAdd.length > 0) this.cancelPending = true;
    for (const job of this.held.splice(0)) this.events.cancelled(job.id);
    this.pool?.cancelAll();
    for (const stop of [...this.remoteStops]) stop();
  }

  /** Removes finished, failed and cancelled files from the list. */
  clearSettled(): void {
    this.flush();
    this.jobs = this.jobs.filter(isActive);
    this.reindex();
  }

  /**
   * Computes the git blob SHA-1 of finished files hashed without one (over GIT_SHA1_MAX_BYTES) by re-reading
   * them in a worker. The Provenance page asks for exactly the files a listing records only that hash for.
   */
  requestGitSha1(paths: Iterable<string>): void {
    const wanted = new Set(paths);
    const latest = new Map<string, FileJob>();
    for (const job of this.jobs)
      if (wanted.has(job.path) && job.state !== 'cancelled') latest.set(job.path, job);
    for (const job of latest.values()) {
      const { id, file } = job;
      if (job.state !== 'done' || job.gitSha1 !== null || job.gitSha1Error || !file) continue;
      if (this.gitSha1Running.has(id)) continue;
      this.gitSha1Running.add(id);
      const computing = this.gitSha1Of
        ? this.gitSha1Of(file)
        : (this.gitSha1Worker ??= createGitSha1Worker()).gitBlobSha1(file);
      computing
        .then(
          (gitSha1) => this.patch(id, { gitSha1 }),
          (err: unknown) => {
            const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
            const error = describeJobError(String(name ?? 'Error'), String(message ?? err));
            this.patch(id, { gitSha1Error: error });
          }
        )
        .finally(() => this.gitSha1Running.delete(id));
    }
  }

  dispose(): void {
    this.toAdd = [];
    this.addedFrom = 0;
    this.held = [];
    this.adding = 0;
    this.pool?.dispose();
    this.pool = undefined;
    this.gitSha1Worker?.dispose();
    this.gitSha1Worker = undefined;
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
    // Each flush re-sorts and recounts the whole list: with thousands of rows, a few times a second is enough.
    if (this.jobs.length > BIG_SESSION) return;
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
    if (wasBusy && !this.busy) this.settle();
  }

  private settle(): void {
    this.jobs = withFolderChecks(this.jobs);
    this.announcement = this.completionText();
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
