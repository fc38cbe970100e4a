import type { PolicyEvaluation } from '../core/policy';
import {
  exportRegistry,
  importRegistry,
  recordTriage,
  serializeRegistry,
  type ImportEvaluator,
  type ImportSummary,
  type ModelVersionRecord,
  type RegistryExport,
  type RegistryStore
} from '../core/registry';
import type { TriageReport } from '../core/triage';
import { filterRecords, NO_FILTER, severityByDay, statusCounts, type RegistryFilter } from './registry-view';

/** Reads and validates an export file off the main thread (the governance worker). */
export type ReadRegistryFile = (
  file: File
) => Promise<{ ok: true; value: RegistryExport } | { ok: false; error: string }>;

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

/** The local registry: its records, the dashboard filter, the record opened for drill-down, import/export. */
export class RegistryState {
  records = $state.raw<ModelVersionRecord[]>([]);
  loaded = $state(false);
  filter = $state<RegistryFilter>({ ...NO_FILTER });
  /** "name\0version" of the record shown in detail. */
  openKey = $state<string | null>(null);
  notice = $state.raw<Notice | null>(null);
  importErrors = $state.raw<string[]>([]);
  busy = $state(false);

  readonly visible = $derived(filterRecords(this.records, this.filter));
  readonly counts = $derived(statusCounts(this.records));
  readonly series = $derived(severityByDay(this.records));
  readonly opened = $derived(
    this.records.find((r) => `${r.name}\u0000${r.version}` === this.openKey) ?? null
  );

  #store: RegistryStore | null = null;

  /** `evaluate` is the active policy: imported records get their verdict from it, never from the file. */
  constructor(
    private readonly openStore: () => Promise<RegistryStore>,
    private readonly readFile: ReadRegistryFile,
    private readonly evaluate: ImportEvaluator
  ) {}

  async #withStore<T>(action: (store: RegistryStore) => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    try {
      this.#store ??= await this.openStore();
      return await action(this.#store);
    } catch (err) {
      this.notice = { kind: 'error', text: `The registry could not be used: ${messageOf(err)}` };
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    await this.#withStore(async (store) => {
      this.records = await store.list();
      this.loaded = true;
    });
  }

  /** Files a triage and its verdict under name@version (added to the history when the version exists). */
  async add(report: TriageReport, evaluation: PolicyEvaluation | null): Promise<ModelVersionRecord | null> {
    const record = await this.#withStore(async (store) => {
      const saved = await recordTriage(store, report, evaluation);
      this.records = await store.list();
      return saved;
    });
    if (!record) return null;
    this.openKey = `${record.name}\u0000${record.version}`;
    this.notice = {
      kind: 'ok',
      text: `Added ${record.name}@${record.version} to the registry: ${record.status ?? 'not evaluated'}.`
    };
    return record;
  }

  async remove(record: ModelVersionRecord): Promise<void> {
    await this.#withStore(async (store) => {
      await store.delete(record.name, record.version);
      this.records = await store.list();
    });
    if (this.opened === null) this.openKey = null;
    this.notice = { kind: 'ok', text: `Removed ${record.name}@${record.version}.` };
  }

  open(record: ModelVersionRecord | null): void {
    this.openKey = record ? `${record.name}\u0000${record.version}` : null;
  }

  /** The whole registry as one JSON file's text. */
  async exportText(): Promise<string | null> {
    return (await this.#withStore(async (store) => serializeRegistry(await exportRegistry(store)))) ?? null;
  }

  /** Validates an export file (in the worker) and merges it; a bad file changes nothing and says why. */
  async importFile(file: File): Promise<ImportSummary | null> {
    this.importErrors = [];
    let read: Awaited<ReturnType<ReadRegistryFile>>;
    try {
      read = await this.readFile(file);
    } catch (err) {
      read = { ok: false, error: messageOf(err) };
    }
    if (!read.ok) {
      this.importErrors = [`${file.name}: ${read.error}`];
      this.notice = { kind: 'error', text: `${file.name} was not imported.` };
      return null;
    }
    const exported = read.value;
    const summary = await this.#withStore(async (store) => {
      const result = await importRegistry(store, exported, this.evaluate);
      this.records = await store.list();
      return result;
    });
    if (!summary) return null;
    this.importErrors = summary.conflicts.map(
      (c) =>
        `${c.record}: kept the local record; the imported one has another manifest digest (${c.incoming ?? 'none'} ≠ ${c.local ?? 'none'}).`
    );
    this.notice = {
      kind: summary.conflicts.length ? 'error' : 'ok',
      text: `Imported ${file.name}: ${summary.added.length} added, ${summary.merged.length} merged, ${summary.unchanged.length} unchanged, ${summary.conflicts.length} conflicts.`
    };
    return summary;
  }
}

function messageOf(err: unknown): string {
  const e = err as { message?: unknown };
  return (typeof e?.message === 'string' ? e.message : String(err)).slice(0, 300);
}
