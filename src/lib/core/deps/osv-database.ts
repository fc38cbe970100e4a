import type { OsvRecord } from './osv-record';
import type { PackageQuery, VulnSource } from './source';
import { recordAffects } from './version-match';

export interface OsvDatabaseInfo {
  /** Newest `modified` among the records: how fresh the database is. */
  newestModified: string | null;
  records: number;
  packages: number;
  withdrawn: number;
  /** Entries that were not usable records (not JSON, too large, wrong shape). */
  rejected: number;
  indexedAt: string;
  /** Why the index may be incomplete (limits reached, truncated zip); empty when complete. */
  incomplete: string[];
}

/** Storage of the offline index: IndexedDB in the app, a Map in tests and the CLI. */
export interface OsvIndexStore {
  /** Adds records to packages (PEP 503 names); called in batches while indexing. */
  append(batch: ReadonlyMap<string, readonly OsvRecord[]>): Promise<void>;
  get(name: string): Promise<OsvRecord[]>;
  setInfo(info: OsvDatabaseInfo): Promise<void>;
  info(): Promise<OsvDatabaseInfo | null>;
  clear(): Promise<void>;
}

export class MemoryOsvIndexStore implements OsvIndexStore {
  readonly byPackage = new Map<string, OsvRecord[]>();
  #info: OsvDatabaseInfo | null = null;

  async append(batch: ReadonlyMap<string, readonly OsvRecord[]>): Promise<void> {
    for (const [name, records] of batch) {
      const list = this.byPackage.get(name) ?? [];
      for (const r of records) if (!list.some((x) => x.id === r.id)) list.push(r);
      this.byPackage.set(name, list);
    }
  }
  async get(name: string): Promise<OsvRecord[]> {
    return this.byPackage.get(name) ?? [];
  }
  async setInfo(info: OsvDatabaseInfo): Promise<void> {
    this.#info = info;
  }
  async info(): Promise<OsvDatabaseInfo | null> {
    return this.#info;
  }
  async clear(): Promise<void> {
    this.byPackage.clear();
    this.#info = null;
  }
}

/** Answers lookups from an indexed OSV database with the local PEP 440 matcher; no network. */
export class OfflineOsvSource implements VulnSource {
  readonly kind = 'offline';
  constructor(private readonly store: OsvIndexStore) {}

  async lookup(queries: readonly PackageQuery[]): Promise<OsvRecord[][]> {
    const out: OsvRecord[][] = [];
    for (const q of queries)
      out.push((await this.store.get(q.name)).filter((r) => recordAffects(r, q.name, q.version)));
    return out;
  }
}
