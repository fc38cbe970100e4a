import type { FileJob } from '../state/file-job';
import { completion, settle } from './idb';

export const SESSION_DB_NAME = 'safeload-session';
const VERSION = 1;
const STORE = 'session';
/** Where the first version kept the whole session as one record (still read, then replaced). */
const LEGACY_KEY = 'current';
const HEAD_KEY = 'head';
/**
 * Jobs per record. IndexedDB clones a record on the main thread when it is written or read: 10,000 jobs in
 * one record took one 2.1 s task (measured, npm run bench); one record of 50 is a short task of its own.
 */
export const JOBS_PER_RECORD = 50;

interface Head {
  savedAt: string;
  generation: string;
  records: number;
}

const recordKey = (generation: string, i: number) => `jobs:${generation}:${String(i).padStart(6, '0')}`;

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

/**
 * The last results of the Check files page, replaced whenever a batch settles. The jobs are written in records
 * of JOBS_PER_RECORD under a new generation, one transaction (task) each; a last transaction points the head
 * at that generation and deletes the previous one, so a reload mid-save still finds the previous session.
 */
export class IdbSessionStore implements SessionStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB, name = SESSION_DB_NAME): Promise<IdbSessionStore> {
    return new IdbSessionStore(await openSessionDb(factory, name));
  }

  async load(): Promise<StoredSession | null> {
    const tx = this.db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const head = (await settle(store.get(HEAD_KEY))) as Head | undefined;
    if (!head) {
      const legacy = (await settle(store.get(LEGACY_KEY))) as StoredSession | undefined;
      return legacy && Array.isArray(legacy.jobs) ? legacy : null;
    }
    const records = Array.from({ length: Math.max(0, Math.min(head.records, 1_000_000)) }, (_, i) =>
      settle(store.get(recordKey(head.generation, i)))
    );
    const jobs: StoredJob[] = [];
    for (const record of await Promise.all(records)) {
      if (!Array.isArray(record)) return null;
      for (const job of record as StoredJob[]) jobs.push(job);
    }
    return { savedAt: head.savedAt, jobs };
  }

  async save(session: StoredSession): Promise<void> {
    const generation = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const records = Math.ceil(session.jobs.length / JOBS_PER_RECORD);
    for (let i = 0; i < records; i++) {
      const tx = this.db.transaction(STORE, 'readwrite');
      const part = session.jobs.slice(i * JOBS_PER_RECORD, (i + 1) * JOBS_PER_RECORD);
      tx.objectStore(STORE).put(part, recordKey(generation, i));
      await completion(tx);
    }
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    store.put({ savedAt: session.savedAt, generation, records } satisfies Head, HEAD_KEY);
    store.delete(LEGACY_KEY);
    const keys = store.getAllKeys();
    // Deleted from the success handler itself, while the transaction is certainly still active.
    keys.onsuccess = () => {
      for (const key of keys.result)
        if (typeof key === 'string' && key.startsWith('jobs:') && !key.startsWith(`jobs:${generation}:`))
          store.delete(key);
    };
    await completion(tx);
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
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
