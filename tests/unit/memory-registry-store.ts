// An in-memory registry store, for tests (the app keeps its registry in IndexedDB, storage/registry-idb.ts).
import { recordKey } from '../../src/lib/core/registry/record-key';
import type { ModelVersionRecord, RegistryStore } from '../../src/lib/core/registry/types';

/** Records are copied in and out, so callers never share mutable state with the store. */
export class MemoryRegistryStore implements RegistryStore {
  readonly #records = new Map<string, ModelVersionRecord>();

  async list(): Promise<ModelVersionRecord[]> {
    return [...this.#records.values()]
      .map((r) => structuredClone(r))
      .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  }
  async get(name: string, version: string): Promise<ModelVersionRecord | null> {
    const r = this.#records.get(recordKey(name, version));
    return r ? structuredClone(r) : null;
  }
  async put(record: ModelVersionRecord): Promise<void> {
    this.#records.set(recordKey(record.name, record.version), structuredClone(record));
  }
  async delete(name: string, version: string): Promise<boolean> {
    return this.#records.delete(recordKey(name, version));
  }
  async clear(): Promise<void> {
    this.#records.clear();
  }
}
