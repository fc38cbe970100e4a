import type { FileJob } from '../state/file-job';
import { completion, settle } from './idb';

export const SESSION_DB_NAME = 'safeload-session';
const VERSION = 1;
const STORE = 'session';
const KEY = 'current';

/** A settled file as kept across reloads: everything but the File itself (it cannot be re-read later). */
export type StoredJob = Omit<FileJob, 'id' | 'batch' | 'file' | 'restored'>;

export interface StoredSession {
  savedAt: string;
  jobs: StoredJob[];
}

export interface SessionStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

function openSessionDb(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab using an older version'));
  });
}

/** The last results of the Check files page, one record, replaced whenever a batch settles. */
export class IdbSessionStore implements SessionStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB, name = SESSION_DB_NAME): Promise<IdbSessionStore> {
    return new IdbSessionStore(await openSessionDb(factory, name));
  }

  async load(): Promise<StoredSession | null> {
    const tx = this.db.transaction(STORE, 'readonly');
    const hit = (await settle(tx.objectStore(STORE).get(KEY))) as StoredSession | undefined;
    return hit && Array.isArray(hit.jobs) ? hit : null;
  }

  async save(session: StoredSession): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(session, KEY);
    await completion(tx);
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(KEY);
    await completion(tx);
  }

  close(): void {
    this.db.close();
  }
}

/** The part of a job that is kept: plain data only (structured-cloned into IndexedDB). */
export function storedJob(job: FileJob): StoredJob {
  const { path, size, state, done, sha256, gitSha1, report, scanReport, error, startedAt, endedAt } = job;
  return { path, size, state, done, sha256, gitSha1, report, scanReport, error, startedAt, endedAt };
}
