// The CLI as users get it: `npm pack`, installed from the tarball alone into an empty folder with the registry
// out of reach (offline, empty cache), then run on fixtures.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAFELOAD_VERSION } from '../../src/lib/core/version';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const fixture = (name: string) => join(root, 'tests/fixtures/models', name);

interface Packed {
  filename: string;
  files: { path: string }[];
  bundled: string[];
}

async function safeload(bin: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    return { code: 0, stdout: (await run(bin, args)).stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

describe('the packed CLI', () => {
  let packed: Packed;
  let bin: string;
  let installed: string;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'safeload-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
    [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Packed[];
    const app = join(work, 'app');
    mkdirSync(app);
    await run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--cache',
        join(work, 'empty-cache'),
        join(work, packed.filename)
      ],
      { cwd: app }
    );
    installed = join(app, 'node_modules/safeload');
    bin = join(app, 'node_modules/.bin/safeload');
  }, 300_000);

  it('holds the prebuilt bundle and its launcher, no sources, and carries its dependencies', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining(['bin/safeload.mjs', 'dist/cli/safeload.mjs', 'package.json'])
    );
    expect(
      paths.filter(
        (p) => /^(src|tests|scripts)\//.test(p) || (p.endsWith('.ts') && !p.startsWith('node_modules/'))
      )
    ).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ safeload: 'bin/safeload.mjs' });
    // The libraries the shipped code imports are its dependencies, and every one travels in the tarball
    // (bundleDependencies): one fetched from a registry at install time would break the offline install below.
    const dependencies = Object.keys(manifest.dependencies ?? {});
    expect(dependencies).toContain('@cfworker/json-schema');
    expect(dependencies.filter((d) => !packed.bundled.includes(d))).toEqual([]);
    expect(manifest.devDependencies?.esbuild, 'build tools stay devDependencies').toBeDefined();
  });

  it('installed from the tarball alone, reports its version', async () => {
    expect((await safeload(bin, '--version')).stdout.trim()).toBe(SAFELOAD_VERSION);
  });

  it('scans: exit 1 and the finding for a malicious pickle, exit 0 for a clean checkpoint', async () => {
    const evil = await safeload(bin, 'scan', '--json', fixture('torch_zip_os_system.pt'));
    expect(evil.code).toBe(1);
    const report = JSON.parse(evil.stdout);
    expect(report.files.map((f: { verdict: string }) => f.verdict)).toEqual(['critical']);
    expect(report.files[0].findings.map((f: { ruleId: string }) => f.ruleId)).toContain(
      'pickle.call.dangerous'
    );
    const clean = await safeload(bin, 'scan', fixture('torch_state_dict.pt'));
    expect(clean.code).toBe(0);
  });

  it('is the whole CLI: every source file of src/lib/cli is in the bundle', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist/cli-meta.json'), 'utf8')) as { inputs: string[] };
    const bundled = new Set(meta.inputs);
    const sources = readdirTs(join(root, 'src/lib/cli')).map((p) => relative(root, p));
    expect(sources.filter((p) => !bundled.has(p))).toEqual([]);
  });
});

/** The TypeScript sources under `dir`, tests excluded. */
function readdirTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return readdirTs(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}
