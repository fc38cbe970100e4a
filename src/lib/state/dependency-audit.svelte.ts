import { callback } from '../workers/comlink';
import type { AuditReport } from '../core/deps/audit';
import type { CollectedDependencies } from '../core/deps/collect';
import type {
  DepsFile,
  Exports,
  IndexProgress,
  OfflineDatabase,
  PastedInput,
  VulnSourceKind
} from '../workers/deps-api';
import { connectDepsWorker, type DepsWorker } from '../workers/deps-client';
import { dependencyFiles, filesKey, modelFilesOf, modelNameOf } from './dependency-inputs';
import type { FileJob } from './file-job';
import { triageInputs } from './triage-inputs.svelte';
import { plural } from '../components/format';

export type AuditActivity = 'reading' | 'online' | 'offline' | 'indexing' | 'exporting' | null;

/** Names the pasted text can be read as; the name decides the parser. */
export const PASTE_FORMATS = [
  'requirements.txt',
  'pyproject.toml',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pylock.toml'
] as const;

const PASTE_DEBOUNCE_MS = 300;

/**
 * The Dependencies page: requirement and lock files found among the dropped files or pasted, read and audited
 * in a worker against OSV online (only on request) or a dropped offline database, and the reports to download.
 */
export class DependencyAudit {
  pasteName = $state<(typeof PASTE_FORMATS)[number]>('requirements.txt');
  pasteText = $state('');
  collected = $state.raw<CollectedDependencies | null>(null);
  report = $state.raw<AuditReport | null>(null);
  database = $state.raw<OfflineDatabase | null>(null);
  indexProgress = $state.raw<(IndexProgress & { total: number }) | null>(null);
  exports = $state.raw<Exports | null>(null);
  activity = $state<AuditActivity>(null);
  error = $state('');
  /** Polite status text for screen readers. */
  announcement = $state('');

  readonly vulnerableCount = $derived(this.report?.audited.filter((p) => p.vulns.length > 0).length ?? 0);

  #worker: DepsWorker | undefined;
  #jobs: readonly FileJob[] = [];
  #files: DepsFile[] = [];
  #filesKey = '';
  #pasteTimer: ReturnType<typeof setTimeout> | undefined;
  #collectRun = 0;

  constructor(private readonly connect: () => DepsWorker = connectDepsWorker) {}

  get #api() {
    this.#worker ??= this.connect();
    return this.#worker;
  }

  async #call<T>(work: (api: DepsWorker['api']) => Promise<T>): Promise<T> {
    const w = this.#api;
    return Promise.race([work(w.api), w.crashed]);
  }

  /** Called with the session's files whenever they change; re-reads the inputs only if their set changed. */
  useJobs(jobs: readonly FileJob[]): void {
    this.#jobs = jobs;
    const files = dependencyFiles(jobs);
    const key = filesKey(files);
    if (key === this.#filesKey) return;
    this.#filesKey = key;
    this.#files = files;
    void this.collect();
  }

  pasteChanged(): void {
    clearTimeout(this.#pasteTimer);
    this.#pasteTimer = setTimeout(() => void this.collect(), PASTE_DEBOUNCE_MS);
  }

  async collect(): Promise<void> {
    clearTimeout(this.#pasteTimer);
    const run = ++this.#collectRun;
    const pasted: PastedInput | null = this.pasteText.trim()
      ? { name: this.pasteName, text: this.pasteText }
      : null;
    if (this.#files.length === 0 && !pasted) {
      this.collected = null;
      this.#resetResults();
      return;
    }
    this.activity = 'reading';
    try {
      const collected = await this.#call((api) => api.collect(this.#files, pasted));
      if (run !== this.#collectRun) return;
      this.collected = collected;
      this.#resetResults();
      this.announcement = `Found ${plural(collected.dependencies.length, 'package')} in ${plural(collected.inputs.length, 'input')}.`;
    } catch (err) {
      if (run === this.#collectRun) this.error = `Could not read the inputs: ${(err as Error).message}`;
    } finally {
      if (run === this.#collectRun && this.activity === 'reading') this.activity = null;
    }
  }

  #resetResults(): void {
    this.report = null;
    this.exports = null;
    this.error = '';
  }

  async loadDatabaseInfo(): Promise<void> {
    try {
      this.database = await this.#call((api) => api.databaseInfo());
    } catch (err) {
      this.error = `The offline database could not be opened: ${(err as Error).message}`;
    }
  }

  async audit(source: VulnSourceKind): Promise<void> {
    if (!this.collected || this.activity) return;
    this.activity = source;
    this.error = '';
    this.exports = null;
    this.announcement = source === 'online' ? 'Checking with OSV…' : 'Checking the offline database…';
    try {
      const report = await this.#call((api) => api.audit(this.collected!.dependencies, source));
      this.report = report;
      triageInputs.dependencies = { collected: this.collected, audit: report };
      const vulns = report.audited.reduce((n, p) => n + p.vulns.length, 0);
      this.announcement = `Checked ${plural(report.audited.length, 'pinned package')}: ${plural(vulns, 'vulnerability', 'vulnerabilities')} in ${plural(this.vulnerableCount, 'package')}.`;
    } catch (err) {
      const message = (err as Error).message;
      this.error = /abort/i.test(message)
        ? 'The check was cancelled.'
        : source === 'online'
          ? `Could not check with OSV: ${message}`
          : `The offline check failed: ${message}`;
      this.announcement = this.error;
    } finally {
      this.activity = null;
    }
  }

  async addDatabase(file: File): Promise<void> {
    if (this.activity) return;
    this.activity = 'indexing';
    this.error = '';
    this.indexProgress = { bytesIn: 0, records: 0, total: file.size };
    this.announcement = `Reading ${file.name}…`;
    try {
      const onProgress = (p: IndexProgress) => (this.indexProgress = { ...p, total: file.size });
      const info = await this.#call((api) => api.indexDatabase(file, callback(onProgress)));
      this.database = info.records > 0 ? info : null;
      if (info.records === 0)
        this.error = `${file.name} is not a usable OSV database: ${info.incomplete.join('; ') || 'no records'}.`;
      this.announcement =
        this.error ||
        `Offline database ready: ${plural(info.records, 'record')}, newest ${info.newestModified}.`;
    } catch (err) {
      this.database = null;
      this.error = /abort/i.test((err as Error).message)
        ? 'Reading the database was cancelled; no offline database is available.'
        : `The database could not be read: ${(err as Error).message}`;
      this.announcement = this.error;
    } finally {
      this.activity = null;
      this.indexProgress = null;
    }
  }

  cancel(): void {
    // A worker that is already gone has nothing left to cancel.
    this.#worker?.api.cancel().catch(() => undefined);
  }

  /** Builds the downloads from the current results; the BOM is validated against CycloneDX 1.6 in the worker. */
  async prepareExports(): Promise<void> {
    if (this.activity) return;
    this.activity = 'exporting';
    this.error = '';
    try {
      const files = modelFilesOf(this.#jobs, this.collected?.files ?? []);
      const exports = await this.#call((api) =>
        api.exports({
          modelName: modelNameOf(this.#jobs.map((j) => j.path)),
          files,
          dependencies: this.collected?.dependencies ?? [],
          report: this.report
        })
      );
      this.exports = exports;
      this.announcement = exports.validation.valid
        ? 'Downloads ready. The CycloneDX BOM is valid against the 1.6 schema.'
        : 'The CycloneDX BOM did not validate against the 1.6 schema; it is not offered for download.';
    } catch (err) {
      this.error = `The downloads could not be prepared: ${(err as Error).message}`;
    } finally {
      this.activity = null;
    }
  }

  dispose(): void {
    clearTimeout(this.#pasteTimer);
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}
