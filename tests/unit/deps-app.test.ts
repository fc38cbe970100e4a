import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { normalizeName } from '../../src/lib/core/deps/names';
import { dependencyFiles, modelFilesOf, modelNameOf } from '../../src/lib/state/dependency-inputs';
import { packageRows } from '../../src/lib/state/dependency-rows';
import type { FileJob } from '../../src/lib/state/file-job';
import { buildExports, collectFromFiles, MAX_INPUT_BYTES } from '../../src/lib/workers/deps-tasks';
import { LOCK_DIR, loadOsvRecords } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const fixture = (name: string) => readFileSync(join(LOCK_DIR, name), 'utf8');

function job(id: number, path: string, content: string, patch: Partial<FileJob> = {}): FileJob {
  const file = new File([content], path.split('/').pop()!);
  return {
    id,
    path,
    size: file.size,
    batch: 1,
    state: 'done',
    done: file.size,
    sha256: String(id).padStart(64, '0'),
    gitSha1: '',
    file,
    ...patch
  };
}

async function offlineAudit(deps: Parameters<typeof auditDependencies>[0]) {
  const store = new MemoryOsvIndexStore();
  const byName = new Map<string, ReturnType<typeof loadOsvRecords>>();
  for (const r of loadOsvRecords())
    for (const a of r.affected ?? []) {
      const n = normalizeName(a.package!.name!);
      byName.set(n, [...(byName.get(n) ?? []), r]);
    }
  await store.append(byName);
  return auditDependencies(deps, new OfflineOsvSource(store));
}

describeShared('dependency page helpers', () => {
  const jobs = [
    job(1, 'm/model.safetensors', 'weights'),
    job(2, 'm/requirements.txt', '-r requirements/base.txt\n-r requirements.txt\ntorch==1.13.0\n'),
    job(3, 'm/requirements/base.txt', 'transformers==4.36.0\nnumpy>=1.20\n'),
    job(4, 'm/uv.lock', fixture('uvlock_testdata_one-package.lock')),
    job(5, 'm/.cache/huggingface/download/model.safetensors.metadata', 'x'),
    job(6, 'm/notes.md', 'not read'),
    job(7, 'm/big.bin', 'x', { state: 'hashing', sha256: '' })
  ];

  it('hands the worker only inputs and text files an include could name', () => {
    expect(dependencyFiles(jobs).map((f) => f.path)).toEqual([
      'm/requirements.txt',
      'm/requirements/base.txt',
      'm/uv.lock'
    ]);
  });

  it('reads inputs from File objects, resolves includes with loop detection, and adds pasted text', async () => {
    const collected = await collectFromFiles(dependencyFiles(jobs), {
      name: 'pylock.toml',
      text: fixture('pylock_testdata_example.toml')
    });
    expect(collected.inputs.map((i) => [i.path, i.kind])).toEqual([
      ['m/requirements.txt', 'requirements'],
      ['m/requirements/base.txt', 'requirements'],
      ['m/uv.lock', 'uv-lock'],
      ['(pasted)/pylock.toml', 'pylock']
    ]);
    const pins = collected.dependencies.map((d) => `${d.name}==${d.version ?? '*'}`);
    expect(pins).toEqual(
      expect.arrayContaining([
        'torch==1.13.0',
        'transformers==4.36.0',
        'emoji==2.14.0',
        'numpy==2.2.3',
        'cattrs==24.1.2'
      ])
    );
    expect(pins).not.toContain('numpy==*'); // pinned by the pasted lock
    expect(collected.problems.map((p) => p.message).join('\n')).toMatch(/loop|already/i);
  });

  it('refuses an input larger than the bound instead of reading it', async () => {
    const big = new File([new Uint8Array(MAX_INPUT_BYTES + 1)], 'requirements.txt');
    const collected = await collectFromFiles([{ path: 'requirements.txt', file: big }], null);
    expect(collected.dependencies).toEqual([]);
    expect(collected.problems[0]).toMatchObject({ file: 'requirements.txt' });
    expect(collected.problems[0].message).toMatch(/exceeds/);
  });

  it('lists for the BOM only hashed model files, not inputs, Hub cache files or files still hashing', () => {
    const files = modelFilesOf(jobs, ['m/requirements.txt', 'm/requirements/base.txt']);
    expect(files.map((f) => f.path)).toEqual(['m/model.safetensors', 'm/notes.md']);
    expect(modelNameOf(jobs.map((j) => j.path))).toBe('m');
    expect(modelNameOf(['a/x', 'b/y'])).toBe('model');
    expect(modelNameOf(['x.bin'])).toBe('model');
  });

  it('orders rows worst first and keeps unpinned entries with their reason', async () => {
    const collected = await collectFromFiles(dependencyFiles(jobs), null);
    const report = await offlineAudit(collected.dependencies);
    const rows = packageRows(collected.dependencies, report);
    expect(rows.map((r) => [r.dependency.name, r.vulns?.length ?? null])).toEqual([
      ['torch', 2],
      ['transformers', 1],
      ['emoji', 0],
      ['numpy', null]
    ]);
    expect(rows[0].fix).toEqual({ name: 'torch', oldVersion: '1.13.0', newVersion: '2.6.0' });
    expect(rows[3].dependency.skipReason).toMatch(/^not pinned — not audited/);
    expect(packageRows(collected.dependencies, null).every((r) => r.vulns === null)).toBe(true);
  });

  it('builds the three downloads, the BOM validated against CycloneDX 1.6', async () => {
    const collected = await collectFromFiles(dependencyFiles(jobs), null);
    const report = await offlineAudit(collected.dependencies);
    const exports = buildExports({
      modelName: 'm',
      files: modelFilesOf(jobs, collected.files),
      dependencies: collected.dependencies,
      report
    });
    expect(exports.validation).toEqual({ valid: true, errors: [] });
    const bom = JSON.parse(exports.cyclonedx);
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(bom.vulnerabilities.map((v: { id: string }) => v.id)).toContain('GHSA-53q9-r3pm-6pq6');
    expect(JSON.parse(exports.pipAudit!).fixes).toContainEqual({
      name: 'torch',
      old_version: '1.13.0',
      new_version: '2.6.0'
    });
    expect(JSON.parse(exports.sarif!).runs[0].results.length).toBeGreaterThan(3);

    const unaudited = buildExports({
      modelName: 'm',
      files: [],
      dependencies: collected.dependencies,
      report: null
    });
    expect(unaudited.pipAudit).toBeNull();
    expect(unaudited.validation.valid).toBe(true);
    const broken = buildExports({
      modelName: 'm',
      files: [{ path: 'x', sha256: 'not-a-hash' }],
      dependencies: [],
      report: null
    });
    expect(broken.validation.valid).toBe(false);
    expect(broken.validation.errors.join('\n')).toMatch(/hashes\/0\/content/);
  });
});
