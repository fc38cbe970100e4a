import { recordKey } from '../core/registry/record-key';
import type { ModelVersionRecord, RegistryStore } from '../core/registry/types';
import { completion, settle } from './idb';

export const REGISTRY_DB_NAME = 'safeload-registry';
const VERSION = 1;
const RECORDS = 'records';

export function openRegistryDb(
  factory: IDBFactory = indexedDB,
  name = REGISTRY_DB_NAME
): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab using an older version'));
  });
}

/** Model versions kept in this browser, keyed by name@version; records are structured-cloned in and out. */
export class IdbRegistryStore implements RegistryStore {
  constructor(private readonly db: IDBDatabase) {}

  static async open(factory?: IDBFactory, name?: string): Promise<IdbRegistryStore> {
    return new IdbRegistryStore(await openRegistryDb(factory, name));
  }

  async list(): Promise<ModelVersionRecord[]> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    const all = (await settle(tx.objectStore(RECORDS).getAll())) as ModelVersionRecord[];
    return all.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  }

  async get(name: string, version: string): Promise<ModelVersionRecord | null> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    const hit = await settle(tx.objectStore(RECORDS).get(recordKey(name, version)));
    return (hit as ModelVersionRecord | undefined) ?? null;
  }

  async put(record: ModelVersionRecord): Promise<void> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    // $state proxies cannot be cloned into IndexedDB: store a plain copy.
    tx.objectStore(RECORDS).put(JSON.parse(JSON.stringify(record)), recordKey(record.name, record.version));
    await completion(tx);
  }

  async delete(name: string, version: string): Promise<boolean> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    const store = tx.objectStore(RECORDS);
    const key = recordKey(name, version);
    let existed = false;
    // Chained in the callback so the transaction is still active for the delete.
    const count = store.count(key);
    count.onsuccess = () => {
      existed = count.result > 0;
      store.delete(key);
    };
    await completion(tx);
    return existed;
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).clear();
    await completion(tx);
  }

  close(): void {
    this.db.close();
  }
}
