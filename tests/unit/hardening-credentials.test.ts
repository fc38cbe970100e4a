import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectDependencies } from '../../src/lib/core/deps/collect';
import { redactCredentials } from '../../src/lib/core/deps/redact';
import { cli } from './cli-run';

const SECRETS = ['s3cr3t-pass', 'ghp_SECRETTOKEN123', 'hunter2', 'SECRETQUERY', 'pw-include', 'uv-lock-pass'];

const REQUIREMENTS = [
  'torch==2.5.1',
  'privatepkg @ https://alice:s3cr3t-pass@pypi.corp.example/packages/privatepkg-1.0.tar.gz',
  '-e git+https://ghp_SECRETTOKEN123@github.com/acme/tool.git#egg=tool',
  'https://bob:hunter2@files.example/wheels/other-2.0-py3-none-any.whl',
  'https://files.example/dl/thing-1.0.tar.gz?private_token=SECRETQUERY&x=1',
  '-r https://carol:pw-include@host.example/more.txt',
  ''
].join('\n');

const UV_LOCK = `version = 1

[[package]]
name = "secretpkg"
version = "1.0"
source = { url = "https://dave:uv-lock-pass@files.example/secretpkg-1.0.tar.gz" }
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-creds-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'requirements.txt'), REQUIREMENTS);
  writeFileSync(join(dir, 'model', 'uv.lock'), UV_LOCK);
  writeFileSync(join(dir, 'model', 'config.json'), '{}\n');
  const record = {
    id: 'PYSEC-0000-0001',
    modified: '2026-01-01T00:00:00Z',
    summary: 'test advisory',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'torch' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.6.0' }] }]
      }
    ]
  };
  writeFileSync(
    join(dir, 'osv.zip'),
    zipSync({ 'PYSEC-0000-0001.json': new TextEncoder().encode(JSON.stringify(record)) })
  );
});

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

describe('credentials in requirement URLs are redacted where they are parsed', () => {
  it('removes user-info and secret query values', () => {
    expect(redactCredentials('x @ https://user:pw@host/a?token=abc&v=1')).toBe(
      'x @ https://****@host/a?token=****&v=1'
    );
    expect(redactCredentials('git+https://ghp_x@github.com/a.git')).toBe('git+https://****@github.com/a.git');
    expect(redactCredentials('https://u:p@ss@host/x')).toBe('https://****@host/x');
    expect(redactCredentials('https://pypi.org/simple ${TOKEN}')).toBe('https://pypi.org/simple ${TOKEN}');
  });

  it('nothing collected from requirements or lock files holds a credential', async () => {
    const files: Record<string, string> = { 'requirements.txt': REQUIREMENTS, 'uv.lock': UV_LOCK };
    const collected = await collectDependencies(Object.keys(files), async (p) => files[p] ?? null);
    expect(leaks(JSON.stringify(collected))).toEqual([]);
    expect(JSON.stringify(collected)).toContain('https://****@pypi.corp.example');
  });

  it('audit --json (pip-audit), --sarif and --cyclonedx, and gate --cyclonedx, leak none', async () => {
    const audit = await cli(
      'audit',
      join(dir, 'model'),
      '--osv-db',
      join(dir, 'osv.zip'),
      '--json',
      '--sarif',
      join(dir, 'audit.sarif'),
      '--cyclonedx',
      join(dir, 'audit.cdx.json')
    );
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain('PYSEC-0000-0001');
    const human = await cli('audit', join(dir, 'model'), '--osv-db', join(dir, 'osv.zip'));
    const gate = await cli('gate', join(dir, 'model'), '--cyclonedx', join(dir, 'gate.cdx.json'));
    const outputs = [
      audit.stdout,
      audit.stderr,
      human.stdout,
      human.stderr,
      gate.stdout,
      gate.stderr,
      readFileSync(join(dir, 'audit.sarif'), 'utf8'),
      readFileSync(join(dir, 'audit.cdx.json'), 'utf8'),
      readFileSync(join(dir, 'gate.cdx.json'), 'utf8')
    ];
    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(audit.stdout).toContain('****@');
  }, 60_000);
});
