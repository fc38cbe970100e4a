import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { STRICT_POLICY, evaluatePolicy } from '../../src/lib/core/policy';
import {
  exportRegistry,
  importRegistry,
  parseRegistryExport,
  recordTriage,
  serializeRegistry
} from '../../src/lib/core/registry';
import { buildTriageReport, type TriageReport } from '../../src/lib/core/triage';
import { IdbRegistryStore } from '../../src/lib/storage/registry-idb';
import { readRegistryFile } from '../../src/lib/workers/registry-file';
import { fixture, scanFiles } from './policy-fixtures';

let benign: TriageReport;
let malicious: TriageReport;

beforeAll(async () => {
  benign = buildTriageReport({
    model: { name: 'acme/tiny', version: '1.0' },
    files: await scanFiles([['model.safetensors', fixture('safetensors/tiny-benign.safetensors')]]),
    createdAt: '2026-03-01T10:00:00.000Z'
  });
  malicious = buildTriageReport({
    model: { name: 'evil/model', version: '0.1' },
    files: await scanFiles([['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]]),
    createdAt: '2026-03-02T10:00:00.000Z'
  });
});

async function fill(store: IdbRegistryStore): Promise<void> {
  await recordTriage(store, benign, evaluatePolicy(STRICT_POLICY, benign), '2026-03-01T10:00:02.000Z');
  await recordTriage(store, malicious, evaluatePolicy(STRICT_POLICY, malicious), '2026-03-02T10:00:02.000Z');
}

describe('IdbRegistryStore', () => {
  it('keeps records across a reopen, sorted by name and version, and deletes and clears them', async () => {
    const factory = new IDBFactory();
    const first = await IdbRegistryStore.open(factory, 'test');
    await fill(first);
    first.close();

    const store = await IdbRegistryStore.open(factory, 'test');
    const list = await store.list();
    expect(list.map((r) => `${r.name}@${r.version}:${r.status}`)).toEqual([
      'acme/tiny@1.0:fail',
      'evil/model@0.1:fail'
    ]);
    expect(list[1].reports[0].summary.findingCounts.critical).toBeGreaterThan(0);
    expect((await store.get('evil/model', '0.1'))?.reports[0].files[0].path).toBe('pytorch_model.bin');
    expect(await store.get('evil/model', '9')).toBeNull();

    expect(await store.delete('evil/model', '0.1')).toBe(true);
    expect(await store.delete('evil/model', '0.1')).toBe(false);
    expect((await store.list()).map((r) => r.name)).toEqual(['acme/tiny']);
    await store.clear();
    expect(await store.list()).toEqual([]);
  });

  it('round-trips through an export file into a fresh database, and a re-import changes nothing', async () => {
    const source = await IdbRegistryStore.open(new IDBFactory(), 'a');
    await fill(source);
    const text = serializeRegistry(await exportRegistry(source, '2026-03-03T00:00:00.000Z'));

    const read = await readRegistryFile(new Blob([text]));
    expect(read.ok).toBe(true);
    const target = await IdbRegistryStore.open(new IDBFactory(), 'b');
    const evaluate = async (report: TriageReport, at: string) => evaluatePolicy(STRICT_POLICY, report, at);
    const summary = await importRegistry(target, parseRegistryExport(text), evaluate);
    expect(summary.added).toEqual(['acme/tiny@1.0', 'evil/model@0.1']);
    const view = (r: { name: string; reports: unknown[]; status: unknown }) => [r.name, r.reports, r.status];
    expect((await target.list()).map(view)).toEqual((await source.list()).map(view));
    expect((await importRegistry(target, parseRegistryExport(text), evaluate)).unchanged).toHaveLength(2);
  });

  it('refuses a broken export with the place of the problem', async () => {
    const store = await IdbRegistryStore.open(new IDBFactory(), 'c');
    await fill(store);
    const exported = await exportRegistry(store);
    (exported.records[1] as { status: string }).status = 'maybe';
    const read = await readRegistryFile(new Blob([JSON.stringify(exported)]));
    expect(read).toEqual({
      ok: false,
      code: 'REGISTRY_INVALID',
      error: expect.stringContaining('records[1].status')
    });
    expect(await readRegistryFile(new Blob(['{"format":']))).toEqual({
      ok: false,
      code: 'REGISTRY_SYNTAX',
      error: expect.stringContaining('not JSON')
    });
  });
});
