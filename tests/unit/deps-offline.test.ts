import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { lockedDependency } from '../../src/lib/core/deps/dependency';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { indexOsvDatabase, OSV_ZIP_LIMITS } from '../../src/lib/core/deps/osv-zip';
import { loadOsvRecords, osvRecord } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const records = () => loadOsvRecords();

/** Built the way OSV's exporter writes all.zip: flat <ID>.json entries, deflated, sizes in data descriptors. */
function streamingZip(entries: Record<string, Uint8Array>, stored: string[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  for (const [name, bytes] of Object.entries(entries)) {
    const file = stored.includes(name) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    zip.add(file);
    file.push(bytes, true);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* chunked(bytes: Uint8Array, size = 997): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function allZip(): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const r of records()) entries[`${r.id}.json`] = strToU8(JSON.stringify(r));
  const withdrawn = {
    ...osvRecord('GHSA-37q5-v5qm-c9v8'),
    id: 'GHSA-wdrn-0000-0000',
    withdrawn: '2024-05-01T00:00:00Z',
    modified: '2024-05-01T00:00:00Z'
  };
  entries['GHSA-wdrn-0000-0000.json'] = strToU8(JSON.stringify(withdrawn));
  entries['broken.json'] = strToU8('{"id": "X", ');
  entries['README.txt'] = strToU8('not a record');
  return streamingZip(entries, ['PYSEC-2022-43015.json']);
}

describeShared('offline OSV database (all.zip built from the real records)', () => {
  it('streams, indexes by package and answers like the online source', async () => {
    const store = new MemoryOsvIndexStore();
    const progress: number[] = [];
    const info = await indexOsvDatabase(chunked(allZip()), store, {
      limits: { ...OSV_ZIP_LIMITS, batchSize: 10 },
      onProgress: (b) => progress.push(b.records),
      now: () => new Date('2026-01-01T00:00:00Z')
    });
    expect(info).toMatchObject({
      records: 52,
      withdrawn: 1,
      rejected: 1,
      newestModified: '2025-08-29T19:45:46Z',
      incomplete: [],
      indexedAt: '2026-01-01T00:00:00.000Z'
    });
    expect(info.rejections[0]).toMatch(/^broken.json: /);
    expect(progress.length).toBeGreaterThan(2);
    expect((await store.get('torch')).map((r) => r.id).sort()).toEqual([
      'GHSA-53q9-r3pm-6pq6',
      'PYSEC-2022-43015'
    ]);
    expect((await store.get('transformers')).map((r) => r.id)).toEqual(['GHSA-37q5-v5qm-c9v8']); // the withdrawn twin is not indexed
    expect((await store.info())?.records).toBe(52);

    const report = await auditDependencies(
      [
        lockedDependency('torch', '2.5.1+cu121', { file: 'uv.lock' }),
        lockedDependency('Pillow', '9.0.0', { file: 'uv.lock' }),
        lockedDependency('numpy', '1.26.4', { file: 'uv.lock' })
      ],
      new OfflineOsvSource(store)
    );
    expect(report.source).toBe('offline');
    expect(report.audited[0].vulns.map((v) => v.id)).toEqual(['GHSA-53q9-r3pm-6pq6']);
    expect(report.audited[1].vulns.length).toBeGreaterThan(0);
    expect(report.audited[2].vulns).toEqual([]);
    expect(report.fixes[0]).toEqual({ name: 'torch', oldVersion: '2.5.1+cu121', newVersion: '2.6.0' });
  });

  it('keeps only the packages asked for', async () => {
    const store = new MemoryOsvIndexStore();
    const info = await indexOsvDatabase(chunked(allZip()), store, { only: new Set(['numpy']) });
    expect([...store.byPackage.keys()]).toEqual(['numpy']);
    expect(info.packages).toBeGreaterThan(10); // counted, not kept
  });

  it('bounds record size and record count, and says so', async () => {
    const small = await indexOsvDatabase(chunked(allZip()), new MemoryOsvIndexStore(), {
      limits: { ...OSV_ZIP_LIMITS, maxRecordBytes: 2000 }
    });
    expect(small.rejected).toBeGreaterThan(5);
    expect(small.rejections.some((r) => /exceeds 2000|more than 2000 bytes/.test(r))).toBe(true);
    const few = await indexOsvDatabase(chunked(allZip()), new MemoryOsvIndexStore(), {
      limits: { ...OSV_ZIP_LIMITS, maxRecords: 5 }
    });
    expect(few.records).toBe(5);
    expect(few.incomplete).toEqual(['stopped after 5 records']);
  });

  it('reports a truncated or foreign file instead of an empty clean database', async () => {
    const zip = zipSync({
      'PYSEC-2022-43015.json': strToU8(JSON.stringify(osvRecord('PYSEC-2022-43015'))),
      'GHSA-53q9-r3pm-6pq6.json': strToU8(JSON.stringify(osvRecord('GHSA-53q9-r3pm-6pq6')))
    });
    const cut = await indexOsvDatabase(chunked(zip.subarray(0, zip.length - 700)), new MemoryOsvIndexStore());
    expect(cut.records).toBe(1);
    expect(cut.incomplete).toEqual(['the zip ends early: invalid zip data']);
    const foreign = await indexOsvDatabase(
      chunked(strToU8('this is not a zip file at all')),
      new MemoryOsvIndexStore()
    );
    expect(foreign.records).toBe(0);
    expect(foreign.incomplete).toEqual(['no OSV records (*.json entries) found in the zip']);
    const empty = await indexOsvDatabase(chunked(new Uint8Array(0)), new MemoryOsvIndexStore());
    expect(empty.incomplete).toContain('the database file is empty');
  });
});
