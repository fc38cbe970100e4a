import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { scanSource } from '../../src/lib/core/scan';
import type { FileJob } from '../../src/lib/state/file-job';
import { ScanSession } from '../../src/lib/state/scan-session.svelte';
import { SessionPersistence } from '../../src/lib/state/session-persistence.svelte';
import { IdbSessionStore, JOBS_PER_RECORD, storedJob } from '../../src/lib/storage/session-idb';
import { fixture } from './policy-fixtures';

function mapStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v)
  };
}

async function scannedJob(id: number, path: string, bytes: Uint8Array<ArrayBuffer>): Promise<FileJob> {
  const report = await scanSource(memorySource(bytes, path));
  const file = new File([bytes], path.split('/').pop()!);
  return {
    id,
    path,
    size: bytes.length,
    batch: 3,
    state: 'done',
    done: bytes.length,
    sha256: 's'.repeat(64),
    gitSha1: 'g'.repeat(40),
    report,
    scanReport: report,
    file
  };
}

const noPool = () => {
  throw new Error('no worker pool in this test');
};

describe('results kept across reloads', () => {
  it('stores settled files without their File and brings them back as restored rows', async () => {
    const factory = new IDBFactory();
    const store = await IdbSessionStore.open(factory);
    const job = await scannedJob(
      7,
      'model/model.safetensors',
      new Uint8Array(readFileSync(fixture('safetensors/tiny-benign.safetensors')))
    );
    await store.save({ savedAt: '2026-03-01T10:00:00.000Z', jobs: [storedJob(job)] });
    const loaded = await store.load();
    expect(loaded?.jobs[0]).not.toHaveProperty('file');
    expect(loaded?.jobs[0].report?.inspected?.parts.map((p) => p.kind)).toEqual(['tensors', 'metadata']);

    const session = new ScanSession(noPool);
    const persistence = new SessionPersistence(session, () => IdbSessionStore.open(factory), mapStorage());
    await persistence.start();
    expect(persistence.status).toBe('kept');
    expect(persistence.restoredFrom).toEqual({ savedAt: '2026-03-01T10:00:00.000Z', count: 1 });
    const [back] = session.jobs;
    expect(back).toMatchObject({
      path: 'model/model.safetensors',
      sha256: 's'.repeat(64),
      restored: true,
      state: 'done'
    });
    expect(back.file).toBeUndefined();
    expect(back.report?.verdict).toBe(job.report?.verdict);

    session.forgetRestored();
    expect(session.jobs).toEqual([]);
  });

  it('keeps nothing once the user switches it off, and restores nothing after', async () => {
    const factory = new IDBFactory();
    const store = await IdbSessionStore.open(factory);
    const job = await scannedJob(
      1,
      'evil.pt',
      new Uint8Array(readFileSync(fixture('models/torch_zip_os_system.pt')))
    );
    await store.save({ savedAt: new Date().toISOString(), jobs: [storedJob(job)] });
    const choice = mapStorage();
    const persistence = new SessionPersistence(
      new ScanSession(noPool),
      () => IdbSessionStore.open(factory),
      choice
    );
    await persistence.start();
    await persistence.setKept(false);
    expect(persistence.status).toBe('off');
    expect(await store.load()).toBeNull();

    const later = new ScanSession(noPool);
    await store.save({ savedAt: new Date().toISOString(), jobs: [storedJob(job)] });
    const again = new SessionPersistence(later, () => IdbSessionStore.open(factory), choice);
    await again.start();
    expect(again.status).toBe('off');
    expect(later.jobs).toEqual([]);
  });

  it('says when results cannot be kept', async () => {
    const persistence = new SessionPersistence(
      new ScanSession(noPool),
      () => Promise.reject(new Error('IndexedDB is disabled')),
      mapStorage()
    );
    await persistence.start();
    expect(persistence.status).toBe('unavailable');
    expect(persistence.problem).toContain('IndexedDB is disabled');
  });
});

describe('IdbSessionStore: a session in records of JOBS_PER_RECORD jobs', () => {
  const job = (i: number) => ({
    path: `m/f${i}.bin`,
    size: i,
    state: 'done' as const,
    done: i,
    sha256: '',
    gitSha1: null
  });
  const keysOf = async (factory: IDBFactory) => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = factory.open('safeload-session');
      open.onsuccess = () => resolve(open.result);
    });
    const request = db.transaction('session').objectStore('session').getAllKeys();
    const keys = await new Promise<IDBValidKey[]>(
      (resolve) => (request.onsuccess = () => resolve(request.result))
    );
    db.close();
    return keys.map(String);
  };

  it('brings back every job in order, and keeps only the records of the last save', async () => {
    const factory = new IDBFactory();
    const store = await IdbSessionStore.open(factory);
    const many = Array.from({ length: 2 * JOBS_PER_RECORD + 3 }, (_, i) => job(i));
    await store.save({ savedAt: '2026-03-01T10:00:00.000Z', jobs: many });
    expect((await keysOf(factory)).filter((k) => k.startsWith('jobs:'))).toHaveLength(3);
    expect(await store.load()).toEqual({ savedAt: '2026-03-01T10:00:00.000Z', jobs: many });

    const fewer = many.slice(0, 7);
    await store.save({ savedAt: '2026-03-01T11:00:00.000Z', jobs: fewer });
    expect((await keysOf(factory)).filter((k) => k.startsWith('jobs:'))).toHaveLength(1);
    expect(await store.load()).toEqual({ savedAt: '2026-03-01T11:00:00.000Z', jobs: fewer });

    await store.clear();
    expect(await keysOf(factory)).toEqual([]);
    expect(await store.load()).toBeNull();
    store.close();
  });

  it('reads a session kept as one record by the first version', async () => {
    const factory = new IDBFactory();
    const store = await IdbSessionStore.open(factory);
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = factory.open('safeload-session');
      open.onsuccess = () => resolve(open.result);
    });
    const tx = db.transaction('session', 'readwrite');
    tx.objectStore('session').put({ savedAt: '2026-02-01T10:00:00.000Z', jobs: [job(1)] }, 'current');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
    expect(await store.load()).toEqual({ savedAt: '2026-02-01T10:00:00.000Z', jobs: [job(1)] });
    await store.save({ savedAt: '2026-03-01T10:00:00.000Z', jobs: [job(2)] });
    expect(await keysOf(factory)).not.toContain('current');
    store.close();
  });
});
