import { mkdtempSync, openAsBlob, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import {
  exportRegistry,
  importRegistry,
  MAX_EXPORT_BYTES,
  parseRegistryExport,
  recordTriage,
  RegistryImportError,
  serializeRegistry
} from '../../src/lib/core/registry';
import { MAX_EXPORT_RECORDS } from '../../src/lib/core/registry/exchange';
import { readRegistryFile } from '../../src/lib/workers/registry-file';
import { MemoryRegistryStore } from './memory-registry-store';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import type { TriageReport } from '../../src/lib/core/triage/types';
import { fixture, manifestOf, scanFiles } from './policy-fixtures';

let benign: TriageReport;
let malicious: TriageReport;
let digest: string;

beforeAll(async () => {
  const good = await scanFiles([['model.safetensors', fixture('safetensors/tiny-benign.safetensors')]]);
  const bad = await scanFiles([['model.bin', fixture('models/torch_zip_os_system.pt')]]);
  digest = (await manifestOf(good)).digest.value;
  benign = buildTriageReport({
    model: { name: 'acme/tiny', version: '1.0' },
    files: good,
    createdAt: '2026-03-01T10:00:00.000Z'
  });
  malicious = buildTriageReport({
    model: { name: 'evil/model', version: '0.1' },
    files: bad,
    createdAt: '2026-03-02T10:00:00.000Z'
  });
  benign.provenance.manifestDigest = digest;
});

/** The active policy on import: verdicts in a file are never taken, they are evaluated again. */
const builtin = async (report: TriageReport, at: string) => evaluatePolicy(STRICT_POLICY, report, at);
const IMPORTED_AT = '2026-03-06T00:00:00.000Z';

/** What an import must carry over unchanged: the records' identity, triages and (recomputed) status. */
function essentials(records: Awaited<ReturnType<MemoryRegistryStore['list']>>) {
  return records.map(({ name, version, source, manifestDigest, reports, status, createdAt }) => ({
    name,
    version,
    source,
    manifestDigest,
    reports,
    status,
    createdAt
  }));
}

async function filled(): Promise<MemoryRegistryStore> {
  const store = new MemoryRegistryStore();
  await recordTriage(
    store,
    benign,
    evaluatePolicy(STRICT_POLICY, benign, '2026-03-01T10:00:01.000Z'),
    '2026-03-01T10:00:02.000Z'
  );
  await recordTriage(
    store,
    malicious,
    evaluatePolicy(STRICT_POLICY, malicious, '2026-03-02T10:00:01.000Z'),
    '2026-03-02T10:00:02.000Z'
  );
  return store;
}

describe('registry records', () => {
  it('files triages under name@version with the policy status and dates', async () => {
    const store = await filled();
    const list = await store.list();
    expect(list.map((r) => [r.name, r.version, r.status, r.reports.length])).toEqual([
      ['acme/tiny', '1.0', 'fail', 1],
      ['evil/model', '0.1', 'fail', 1]
    ]);
    expect(list[0]).toMatchObject({ manifestDigest: digest, createdAt: '2026-03-01T10:00:02.000Z' });
    expect(list[1].reports[0].summary.verdict).toBe('critical');
  });

  it('a second triage of the same version is added to its history and sets the status', async () => {
    const store = await filled();
    const again = { ...benign, createdAt: '2026-03-05T00:00:00.000Z' };
    const lenient = {
      ...STRICT_POLICY,
      rules: STRICT_POLICY.rules.filter((r) => r.id === 'no-critical-findings')
    };
    const record = await recordTriage(
      store,
      again,
      evaluatePolicy(lenient, again, '2026-03-05T00:00:01.000Z'),
      '2026-03-05T00:00:02.000Z'
    );
    expect(record.reports.map((r) => r.createdAt)).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-05T00:00:00.000Z'
    ]);
    expect(record.status).toBe('pass');
    expect(record.updatedAt).toBe('2026-03-05T00:00:02.000Z');
  });
});

describe('export and import', () => {
  it('round-trips the whole registry through one JSON file', async () => {
    const store = await filled();
    const text = serializeRegistry(await exportRegistry(store, '2026-03-03T00:00:00.000Z'));
    const parsed = parseRegistryExport(text);
    const target = new MemoryRegistryStore();
    const summary = await importRegistry(target, parsed, builtin, IMPORTED_AT);
    expect(summary).toEqual({
      added: ['acme/tiny@1.0', 'evil/model@0.1'],
      merged: [],
      unchanged: [],
      conflicts: []
    });
    expect(essentials(await target.list())).toEqual(essentials(await store.list()));
    expect((await target.list()).map((r) => r.policyResults.map((e) => e.evaluatedAt))).toEqual([
      [IMPORTED_AT],
      [IMPORTED_AT]
    ]);
    // Importing the same file again changes nothing.
    expect((await importRegistry(target, parsed, builtin)).unchanged).toHaveLength(2);
  });

  it('merges histories of the same version and refuses a different manifest digest', async () => {
    const mine = await filled();
    const theirs = new MemoryRegistryStore();
    const later = { ...benign, createdAt: '2026-03-04T00:00:00.000Z' };
    await recordTriage(
      theirs,
      later,
      evaluatePolicy(STRICT_POLICY, later, '2026-03-04T00:00:01.000Z'),
      '2026-03-04T00:00:02.000Z'
    );
    const forged = {
      ...malicious,
      createdAt: '2026-03-04T00:00:00.000Z',
      provenance: { ...malicious.provenance, manifestDigest: 'f'.repeat(64) }
    };
    const mineMalicious = (await mine.get('evil/model', '0.1'))!;
    await mine.put({ ...mineMalicious, manifestDigest: 'e'.repeat(64) });
    await recordTriage(theirs, forged, null, '2026-03-04T00:00:02.000Z');
    const summary = await importRegistry(
      mine,
      parseRegistryExport(serializeRegistry(await exportRegistry(theirs))),
      builtin,
      IMPORTED_AT
    );
    expect(summary.merged).toEqual(['acme/tiny@1.0']);
    expect(summary.conflicts).toEqual([
      { record: 'evil/model@0.1', local: 'e'.repeat(64), incoming: 'f'.repeat(64) }
    ]);
    const merged = (await mine.get('acme/tiny', '1.0'))!;
    expect(merged.reports.map((r) => r.createdAt)).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-04T00:00:00.000Z'
    ]);
    expect(merged.policyResults).toHaveLength(2);
    expect(merged.createdAt).toBe('2026-03-01T10:00:02.000Z');
    expect((await mine.get('evil/model', '0.1'))!.reports).toHaveLength(1);
  });

  it('rejects files that are not a valid export, naming the field', async () => {
    const good = JSON.parse(serializeRegistry(await exportRegistry(await filled())));
    const bad = (mutate: (x: typeof good) => void) => {
      const copy = structuredClone(good);
      mutate(copy);
      return () => parseRegistryExport(JSON.stringify(copy));
    };
    expect(() => parseRegistryExport('not json')).toThrow(RegistryImportError);
    expect(bad((x) => (x.format = 'other'))).toThrow(/format/);
    expect(bad((x) => (x.records[0].manifestDigest = 'xyz'))).toThrow(/records\[0\]\.manifestDigest/);
    expect(bad((x) => (x.records[0].reports[0].model.name = 'someone/else'))).toThrow(
      /records\[0\]\.reports\[0\]\.model\.name/
    );
    expect(bad((x) => (x.records[1].status = 'great'))).toThrow(/records\[1\]\.status/);
    expect(bad((x) => x.records.push(x.records[0]))).toThrow(/repeats acme\/tiny@1.0/);
    expect(bad((x) => (x.records[0].updatedAt = 'yesterday'))).toThrow(/updatedAt/);
  });

  it('gives each refusal its code', async () => {
    const good = JSON.parse(serializeRegistry(await exportRegistry(await filled())));
    const codeOf = (text: string) => {
      try {
        parseRegistryExport(text);
      } catch (err) {
        expect(err).toBeInstanceOf(RegistryImportError);
        return (err as RegistryImportError).code;
      }
      return 'accepted';
    };
    const edited = (mutate: (x: typeof good) => void) => {
      const copy = structuredClone(good);
      mutate(copy);
      return JSON.stringify(copy);
    };
    expect(codeOf(JSON.stringify(good))).toBe('accepted');
    expect(codeOf(edited((x) => (x.records = Array(MAX_EXPORT_RECORDS + 1).fill(x.records[0]))))).toBe(
      'REGISTRY_TOO_LARGE'
    );
    expect(codeOf('{"format":')).toBe('REGISTRY_SYNTAX');
    expect(codeOf('"a registry"')).toBe('REGISTRY_SYNTAX');
    expect(codeOf(edited((x) => (x.format = 'other')))).toBe('REGISTRY_FORMAT');
    expect(codeOf(edited((x) => (x.formatVersion = 99)))).toBe('REGISTRY_FORMAT');
    expect(codeOf(edited((x) => (x.exportedAt = 'soon')))).toBe('REGISTRY_INVALID');
    expect(codeOf(edited((x) => (x.records[1].status = 'great')))).toBe('REGISTRY_INVALID');
    expect(codeOf(edited((x) => x.records.push(x.records[0])))).toBe('REGISTRY_DUPLICATE');
  });

  it('a file too large to read, or one that changed after it was chosen, is refused with its code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safeload-registry-'));
    const large = join(dir, 'large.json');
    writeFileSync(large, '');
    truncateSync(large, MAX_EXPORT_BYTES + 1); // sparse: no bytes written
    expect(await readRegistryFile(await openAsBlob(large))).toMatchObject({
      ok: false,
      code: 'REGISTRY_TOO_LARGE'
    });
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, serializeRegistry(await exportRegistry(await filled())));
    const chosen = await openAsBlob(changed);
    writeFileSync(changed, '{}');
    expect(await readRegistryFile(chosen)).toMatchObject({ ok: false, code: 'REGISTRY_UNREADABLE' });
    rmSync(dir, { recursive: true, force: true });
  });
});
