import type { OsvCache } from '../core/deps/osv-client';
import type { OsvDatabaseInfo, OsvIndexStore } from '../core/deps/osv-database';
import type { OsvRecord } from '../core/deps/osv-record';
import { completion, settle } from './idb';

// One IndexedDB database for both OSV sources: the online record cache and the offline index of a dropped all.zip.
export const OSV_DB_NAME = 'safeload-osv';
const VERSION = 2;
const RECORDS = 'records';
/** Offline records, each stored once with the PyPI names it affects; a multi-entry index finds them by name. */
const OFFLINE = 'offline';
const BY_PACKAGE = 'by-package';
const META = 'meta';
const DATABASE_INFO = 'database-info';

export function openOsvDb(factory: IDBFactory = indexedDB, name = OSV_DB_NAME): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'id' });
    if (db.objectStoreNames.contains('packages')) db.deleteObjectStore('packages'); // version 1 layout
    if (!db.objectStoreNames.contains(OFFLINE))
      db.createObjectStore(OFFLINE, { keyPath: 'record.id' }).createIndex(BY_PACKAGE, 'packages', {
        multiEntry: true
      });
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

interface OfflineEntry {
  record: OsvRecord;
  packages: string[];
}

/** The offline database: each record once, found by the PyPI packages (PEP 503 names) it affects, plus its info. */
export class IdbOsvIndexStore implements OsvIndexStore {
  constructor(private readonly db: IDBDatabase) {}

  async append(batch: ReadonlyMap<string, readonly OsvRecord[]>): Promise<void> {
    const entries = new Map<string, OfflineEntry>();
    for (const [name, records] of batch) {
      for (const record of records) {
        const entry = entries.get(record.id) ?? { record, packages: [] };
        if (!entry.packages.includes(name)) entry.packages.push(name);
        entries.set(record.id, entry);
      }
    }
    const tx = this.db.transaction(OFFLINE, 'readwrite');
    const store = tx.objectStore(OFFLINE);
    // A record seen in an earlier batch keeps the packages it was stored under; requests are chained by
    // callbacks so the transaction stays active until the last put.
    for (const [id, entry] of entries) {
      const read = store.get(id);
      read.onsuccess = () => {
        const known = (read.result as OfflineEntry | undefined)?.packages ?? [];
        store.put({ record: entry.record, packages: [...new Set([...known, ...entry.packages])] });
      };
    }
    await completion(tx);
  }

  async get(name: string): Promise<OsvRecord[]> {
    const tx = this.db.transaction(OFFLINE, 'readonly');
    const entries = (await settle(tx.objectStore(OFFLINE).index(BY_PACKAGE).getAll(name))) as OfflineEntry[];
    return entries.map((e) => e.record);
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
    const tx = this.db.transaction([OFFLINE, META], 'readwrite');
    tx.objectStore(OFFLINE).clear();
    tx.objectStore(META).clear();
    await completion(tx);
  }
}
