import { valid } from '@renovatebot/pep440';
import { expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { cvssScore } from '../../src/lib/core/deps/cvss';
import { lockedDependency } from '../../src/lib/core/deps/dependency';
import { mergeRecords } from '../../src/lib/core/deps/merge-vulns';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { isPypi, type OsvRecord } from '../../src/lib/core/deps/osv-record';
import { severityOf } from '../../src/lib/core/deps/severity';
import { affectsVersion, fixVersionsOf, recordAffects } from '../../src/lib/core/deps/version-match';
import { normalizeName } from '../../src/lib/core/deps/names';
import { loadOsvRecords, osvRecord } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const records = () => loadOsvRecords();

async function offlineSource(list: OsvRecord[] = records()) {
  const store = new MemoryOsvIndexStore();
  const batch = new Map<string, OsvRecord[]>();
  for (const r of list) {
    for (const a of (r.affected ?? []).filter(isPypi)) {
      const name = normalizeName(a.package!.name!);
      batch.set(name, [...(batch.get(name) ?? []), r]);
    }
  }
  await store.append(batch);
  return new OfflineOsvSource(store);
}

describeShared('OSV matching with PEP 440 on the real records', () => {
  it('loads every fixture record', () => {
    expect(records().length).toBe(51);
  });

  it('agrees with every enumerated version and every fixed boundary using ranges alone', () => {
    let checked = 0;
    for (const r of records()) {
      for (const a of r.affected ?? []) {
        const rangesOnly = { ...a, versions: [] };
        if (!(a.ranges ?? []).some((x) => x.type === 'ECOSYSTEM')) continue;
        for (const v of a.versions ?? []) {
          if (valid(v) === null) continue;
          expect(affectsVersion(rangesOnly, v), `${r.id} ${v}`).toBe(true);
          checked++;
        }
        for (const range of a.ranges ?? []) {
          for (const e of range.type === 'ECOSYSTEM' ? range.events : []) {
            if (e.fixed) expect(affectsVersion(rangesOnly, e.fixed), `${r.id} fixed ${e.fixed}`).toBe(false);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it('torch: fixed boundary, local versions and epochs', () => {
    const pysec = osvRecord('PYSEC-2022-43015'); // < 1.13.1
    expect(recordAffects(pysec, 'torch', '1.13.0')).toBe(true);
    expect(recordAffects(pysec, 'torch', '1.13.1')).toBe(false);
    expect(recordAffects(pysec, 'torch', '1.12.1+cu116')).toBe(true);
    expect(recordAffects(pysec, 'torch', '1.13.1+cpu')).toBe(false);
    expect(recordAffects(pysec, 'torch', '0!1.12.0')).toBe(true);
    expect(recordAffects(pysec, 'torch', '1!0.1')).toBe(false); // epoch 1 sorts after every epoch-0 release
    expect(recordAffects(pysec, 'Torch', '1.13.0')).toBe(true);
    const ghsa = osvRecord('GHSA-53q9-r3pm-6pq6'); // < 2.6.0, CVSS v4 only
    expect(recordAffects(ghsa, 'torch', '2.5.1+cu121')).toBe(true);
    expect(recordAffects(ghsa, 'torch', '2.6.0')).toBe(false);
    expect(recordAffects(ghsa, 'torch', '2.6.0+cpu')).toBe(false);
    expect(recordAffects(ghsa, 'torch', '2.6.0rc1')).toBe(true);
  });

  it('last_affected is inclusive and has no fix version', () => {
    const llama = osvRecord('GHSA-56xg-wfcc-g829'); // introduced 0.2.30, last_affected 0.2.71
    expect(recordAffects(llama, 'llama-cpp-python', '0.2.29')).toBe(false);
    expect(recordAffects(llama, 'llama_cpp_python', '0.2.30')).toBe(true);
    expect(recordAffects(llama, 'llama-cpp-python', '0.2.71')).toBe(true);
    expect(recordAffects(llama, 'llama-cpp-python', '0.2.71.post1')).toBe(false);
    expect(fixVersionsOf(llama, 'llama-cpp-python')).toEqual([]);
    const py = osvRecord('PYSEC-2022-42969'); // last_affected 1.11.0 plus versions[]
    expect(recordAffects(py, 'py', '1.11.0')).toBe(true);
    expect(recordAffects(py, 'py', '1.11.1')).toBe(false);
    expect(recordAffects(py, 'py', '0.8.0-alpha2')).toBe(true);
  });

  it('multiple introduced/fixed pairs (tensorflow) and non-PEP 440 enumerated versions (joblib)', () => {
    const tf = osvRecord('PYSEC-2021-843');
    expect(recordAffects(tf, 'tensorflow', '2.4.3')).toBe(true);
    expect(recordAffects(tf, 'tensorflow', '2.4.4')).toBe(false);
    expect(recordAffects(tf, 'tensorflow', '2.5.1')).toBe(true);
    expect(recordAffects(tf, 'tensorflow', '2.5.2')).toBe(false);
    expect(recordAffects(tf, 'tensorflow', '2.6.0')).toBe(true);
    expect(recordAffects(tf, 'tensorflow', '2.6.1')).toBe(false);
    expect(recordAffects(tf, 'tensorflow-gpu', '2.4.3')).toBe(false); // other package
    expect(fixVersionsOf(tf, 'tensorflow')).toEqual(['2.4.4', '2.5.2', '2.6.1']);
    const joblib = osvRecord('PYSEC-2022-288');
    expect(valid('0.3.2d')).toBeNull();
    expect(recordAffects(joblib, 'joblib', '0.3.2d')).toBe(true); // exact string in versions[]
    expect(recordAffects(joblib, 'joblib', '0.3.2z')).toBe(false);
    expect(recordAffects(joblib, 'joblib', '1.1.1')).toBe(true);
    expect(recordAffects(joblib, 'joblib', '1.2.0')).toBe(false);
  });

  it('skips withdrawn records', () => {
    const withdrawn = { ...osvRecord('PYSEC-2022-43015'), withdrawn: '2024-01-01T00:00:00Z' };
    expect(recordAffects(withdrawn, 'torch', '1.13.0')).toBe(false);
  });
});

describeShared('severity', () => {
  it('computes CVSS v3.1 and v4.0 base scores', () => {
    expect(cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H')).toMatchObject({
      method: 'CVSSv31',
      score: 9.6
    });
    expect(cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatchObject({
      method: 'CVSSv4',
      score: 9.3
    });
    expect(cvssScore('CVSS:3.1/garbage')).toBeNull();
    expect(cvssScore('not a vector')).toBeNull();
  });
  it('prefers a vector, falls back to the advisory rating', () => {
    expect(severityOf(osvRecord('GHSA-56xg-wfcc-g829'))).toMatchObject({
      level: 'critical',
      from: 'cvss',
      score: 9.6
    });
    expect(severityOf(osvRecord('GHSA-53q9-r3pm-6pq6'))).toMatchObject({
      level: 'critical',
      method: 'CVSSv4',
      score: 9.3
    });
    expect(severityOf(osvRecord('GHSA-37q5-v5qm-c9v8'))).toEqual({ level: 'low', from: 'advisory' });
    expect(severityOf(osvRecord('PYSEC-2022-43015'))).toBeNull();
    const mlflow = severityOf(osvRecord('PYSEC-2023-252'));
    expect(mlflow?.from).toBe('cvss');
  });
});

describeShared('audit: merge by alias, pip-audit fix resolution', () => {
  it('merges records that share an alias', () => {
    const ghsa = osvRecord('GHSA-53q9-r3pm-6pq6');
    // The PyPA database publishes the same advisory as PYSEC-2025-41 (GHSA-53q9 references it); a twin built from the real record:
    const twin: OsvRecord = {
      ...ghsa,
      id: 'PYSEC-2025-41',
      aliases: ['CVE-2025-32434', 'GHSA-53q9-r3pm-6pq6'],
      severity: [],
      summary: undefined
    };
    const merged = mergeRecords([ghsa, twin, osvRecord('PYSEC-2022-43015')], 'torch');
    expect(merged.map((m) => [m.id, m.aliases])).toEqual([
      ['PYSEC-2022-43015', ['CVE-2022-45907']],
      ['PYSEC-2025-41', ['CVE-2025-32434', 'GHSA-53q9-r3pm-6pq6']]
    ]);
    expect(merged[1].severity).toMatchObject({ level: 'critical', method: 'CVSSv4' });
    expect(merged[1].description).toMatch(/^PyTorch: `torch.load` with `weights_only=True`/);
    expect(merged[1].cwes).toEqual([502]);
  });

  it('finds vulnerabilities and the smallest upgrade that fixes all of them', async () => {
    const deps = [
      lockedDependency('torch', '1.13.0', { file: 'uv.lock' }),
      lockedDependency('transformers', '4.36.0', { file: 'uv.lock' }),
      lockedDependency('llama-cpp-python', '0.2.50', { file: 'uv.lock' }),
      lockedDependency('tensorflow', '2.5.1', { file: 'uv.lock' }),
      lockedDependency('emoji', '2.14.0', { file: 'uv.lock' }),
      lockedDependency('requests', undefined, { file: 'uv.lock' })
    ];
    const report = await auditDependencies(deps, await offlineSource());
    const vulns = Object.fromEntries(report.audited.map((p) => [p.name, p.vulns.map((v) => v.id)]));
    expect(vulns.torch).toEqual(['GHSA-53q9-r3pm-6pq6', 'PYSEC-2022-43015']);
    expect(vulns.transformers).toEqual(['GHSA-37q5-v5qm-c9v8']);
    expect(vulns.emoji).toEqual([]);
    expect(report.skipped.map((d) => d.name)).toEqual(['requests']);
    const fixes = Object.fromEntries(report.fixes.map((f) => [f.name, f]));
    // 1.13.1 fixes PYSEC-2022-43015 but GHSA-53q9 needs 2.6.0: the upgrade is the larger one.
    expect(fixes.torch).toEqual({ name: 'torch', oldVersion: '1.13.0', newVersion: '2.6.0' });
    expect(fixes.transformers).toEqual({ name: 'transformers', oldVersion: '4.36.0', newVersion: '4.38.0' });
    expect(fixes['llama-cpp-python']).toMatchObject({
      version: '0.2.50',
      skipReason: 'no fixed version of GHSA-56xg-wfcc-g829 above 0.2.50 is known'
    });
    const tf = report.audited.find((p) => p.name === 'tensorflow')!;
    expect(tf.vulns.length).toBeGreaterThan(0);
    expect(fixes.tensorflow).toMatchObject({ oldVersion: '2.5.1' });
  });
});
