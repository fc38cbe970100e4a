import { IDBFactory } from 'fake-indexeddb';
import { strToU8, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { lockedDependency } from '../../src/lib/core/deps/dependency';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { indexOsvDatabase, OSV_ZIP_LIMITS } from '../../src/lib/core/deps/osv-zip';
import { IdbOsvCache, IdbOsvIndexStore, openOsvDb } from '../../src/lib/storage/osv-idb';
import { loadOsvRecords, osvRecord } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

function allZip(): Uint8Array {
  return zipSync(
    Object.fromEntries(loadOsvRecords().map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))]))
  );
}

async function* chunks(bytes: Uint8Array, size = 4096) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const deps = [
  lockedDependency('torch', '1.13.0', { file: 'uv.lock' }),
  lockedDependency('Pillow', '9.0.0', { file: 'uv.lock' }),
  lockedDependency('nltk', '3.2.2', { file: 'uv.lock' }),
  lockedDependency('emoji', '2.14.0', { file: 'uv.lock' })
];

describeShared('OSV stores over IndexedDB', () => {
  it('indexes all.zip in small batches and answers exactly like the in-memory index, after a reopen too', async () => {
    const factory = new IDBFactory();
    const store = new IdbOsvIndexStore(await openOsvDb(factory));
    const info = await indexOsvDatabase(chunks(allZip()), store, {
      limits: { ...OSV_ZIP_LIMITS, batchSize: 3 }
    });
    const memory = new MemoryOsvIndexStore();
    const memoryInfo = await indexOsvDatabase(chunks(allZip()), memory);
    expect(info.records).toBe(loadOsvRecords().length);
    expect({ ...info, indexedAt: '' }).toEqual({ ...memoryInfo, indexedAt: '' });

    const reopened = new IdbOsvIndexStore(await openOsvDb(factory));
    expect((await reopened.info())?.records).toBe(info.records);
    expect((await reopened.info())?.newestModified).toBe(memoryInfo.newestModified);
    for (const name of memory.byPackage.keys())
      expect((await reopened.get(name)).map((r) => r.id).sort()).toEqual(
        (await memory.get(name)).map((r) => r.id).sort()
      );
    const fromIdb = await auditDependencies(deps, new OfflineOsvSource(reopened));
    const fromMemory = await auditDependencies(deps, new OfflineOsvSource(memory));
    expect(fromIdb).toEqual(fromMemory);
    expect(fromIdb.audited.find((p) => p.name === 'torch')?.vulns.map((v) => v.id)).toEqual([
      'GHSA-53q9-r3pm-6pq6',
      'PYSEC-2022-43015'
    ]);
    expect(fromIdb.audited.find((p) => p.name === 'nltk')?.vulns.length).toBeGreaterThan(0);
  });

  it('appending the same record twice keeps one copy; clear empties index and info', async () => {
    const store = new IdbOsvIndexStore(await openOsvDb(new IDBFactory()));
    const record = osvRecord('PYSEC-2022-43015');
    await store.append(new Map([['torch', [record]]]));
    await store.append(new Map([['torch', [record, osvRecord('GHSA-53q9-r3pm-6pq6')]]]));
    expect((await store.get('torch')).map((r) => r.id).sort()).toEqual([
      'GHSA-53q9-r3pm-6pq6',
      'PYSEC-2022-43015'
    ]);
    // a record met again under another package is found under both
    await store.append(new Map([['pytorch', [record]]]));
    expect((await store.get('pytorch')).map((r) => r.id)).toEqual(['PYSEC-2022-43015']);
    expect((await store.get('torch')).length).toBe(2);
    await store.clear();
    expect(await store.get('torch')).toEqual([]);
    expect(await store.info()).toBeNull();
  });

  it('the record cache answers only for the same modified date', async () => {
    const cache = new IdbOsvCache(await openOsvDb(new IDBFactory()));
    const record = osvRecord('GHSA-37q5-v5qm-c9v8');
    expect(await cache.get(record.id, record.modified)).toBeUndefined();
    await cache.put(record);
    expect(await cache.get(record.id, record.modified)).toEqual(record);
    expect(await cache.get(record.id, '2099-01-01T00:00:00Z')).toBeUndefined();
    await cache.put({ ...record, modified: '2099-01-01T00:00:00Z' });
    expect((await cache.get(record.id, '2099-01-01T00:00:00Z'))?.modified).toBe('2099-01-01T00:00:00Z');
    expect(await cache.count()).toBe(1);
  });
});
