import type { OsvCache } from '../core/deps/osv-client';
import type { OsvDatabaseInfo, OsvIndexStore } from '../core/deps/osv-database';
import type { OsvRecord } from '../core/deps/osv-record';

// One IndexedDB database for both OSV sources: the online record cache and the offline index of a dropped all.zip.
export const OSV_DB_NAME = 'safeload-osv';
const VERSION = 1;
const RECORDS = 'records';
const PACKAGES = 'packages';
const META = 'meta';
const DATABASE_INFO = 'database-info';

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openOsvDb(factory: IDBFactory = indexedDB, name = OSV_DB_NAME): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(PACKAGES)) db.createObjectStore(PACKAGES);
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab using an older version'));
  });
}

/** osv.dev records fetched online, reused while the querybatch answer reports the same `modified` date. */
export class IdbOsvCache implements OsvCache {
  constructor(private readonly db: IDBDatabase) {}

  async get(id: string, modified: string): Promise<OsvRecord | undefined> {
    const tx = this.db.transaction(RECORDS, 'readonly');
    const hit = (await settle(tx.objectStore(RECORDS).get(id))) as OsvRecord | undefined;
    return hit && hit.modified === modified ? hit : undefined;
  }

  async put(record: OsvRecord): Promise<void> {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).put(record);
    await completion(tx);
  }

  async count(): Promise<number> {
    return settle(this.db.transaction(RECORDS, 'readonly').objectStore(RECORDS).count());
  }
}

/** The offline database: records under each PyPI package (PEP 503 name) they affect, plus the database's info. */
export class IdbOsvIndexStore implements OsvIndexStore {
  constructor(private readonly db: IDBDatabase) {}

  async append(batch: ReadonlyMap<string, readonly OsvRecord[]>): Promise<void> {
    const tx = this.db.transaction(PACKAGES, 'readwrite');
    const store = tx.objectStore(PACKAGES);
    // Requests are chained by callbacks so the transaction stays active until the last put.
    for (const [name, records] of batch) {
      const read = store.get(name);
      read.onsuccess = () => {
        const list = ((read.result as OsvRecord[] | undefined) ?? []).slice();
        const ids = new Set(list.map((r) => r.id));
        for (const r of records) if (!ids.has(r.id)) list.push(r);
        store.put(list, name);
      };
    }
    await completion(tx);
  }

  async get(name: string): Promise<OsvRecord[]> {
    const tx = this.db.transaction(PACKAGES, 'readonly');
    return ((await settle(tx.objectStore(PACKAGES).get(name))) as OsvRecord[] | undefined) ?? [];
  }

  async setInfo(info: OsvDatabaseInfo): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite');
    tx.objectStore(META).put(info, DATABASE_INFO);
    await completion(tx);
  }

  async info(): Promise<OsvDatabaseInfo | null> {
    const tx = this.db.transaction(META, 'readonly');
    return ((await settle(tx.objectStore(META).get(DATABASE_INFO))) as OsvDatabaseInfo | undefined) ?? null;
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction([PACKAGES, META], 'readwrite');
    tx.objectStore(PACKAGES).clear();
    tx.objectStore(META).clear();
    await completion(tx);
  }
}
