import { strToU8, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { MemoryOsvIndexStore } from '../../src/lib/core/deps/osv-database';
import { indexOsvDatabase } from '../../src/lib/core/deps/osv-zip';
import { loadOsvRecords } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

describeShared('offline OSV database read from large chunks', () => {
  it('indexes every record when a whole all.zip arrives as one chunk (a browser Blob stream may do that)', async () => {
    const base = loadOsvRecords();
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 8000; i++) {
      const record = { ...base[i % base.length], id: `COPY-${i}` };
      entries[`${record.id}.json`] = strToU8(JSON.stringify(record));
    }
    const zip = zipSync(entries, { level: 6 });
    async function* oneChunk() {
      yield zip;
    }
    const store = new MemoryOsvIndexStore();
    const info = await indexOsvDatabase(oneChunk(), store);
    expect(info.incomplete).toEqual([]);
    expect(info.records).toBe(8000);
    expect((await store.get('torch')).length).toBeGreaterThan(200);
  });
});
