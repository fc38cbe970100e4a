import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@cfworker/json-schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAFELOAD_VERSION } from '../../src/lib/core/version';
import { cli } from './cli-run';

// Protocol-0 pickle that would run `echo pwned` through os.system when loaded. Built by hand; never loaded.
const MALICIOUS = Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1');
// {'w': [1, 2]} at protocol 2: plain containers only.
const BENIGN = Buffer.from([
  0x80, 0x02, 0x7d, 0x71, 0x00, 0x58, 0x01, 0, 0, 0, 0x77, 0x5d, 0x71, 0x01, 0x28, 0x4b, 0x01, 0x4b, 0x02,
  0x65, 0x73, 0x2e
]);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-cli-'));
  mkdirSync(join(dir, 'model/sub'), { recursive: true });
  writeFileSync(join(dir, 'model/weights.pkl'), BENIGN);
  writeFileSync(join(dir, 'model/sub/evil.bin'), MALICIOUS);
  mkdirSync(join(dir, 'clean'));
  writeFileSync(join(dir, 'clean/weights.pkl'), BENIGN);
});

describe('safeload CLI', () => {
  it('prints its version and usage', async () => {
    expect((await cli('--version')).stdout.trim()).toBe(SAFELOAD_VERSION);
    const usage = await cli('--help');
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain('safeload scan PATH');
  });

  it('keeps the version in step with package.json', () => {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    expect(pkg.version).toBe(SAFELOAD_VERSION);
  });

  it('exits 2 on usage errors and missing paths', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('scan')).code).toBe(2);
    expect((await cli('scan', '--fail-on', 'severe', dir)).code).toBe(2);
    const missing = await cli('scan', join(dir, 'does-not-exist'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/i);
  });

  it('exits 0 on a clean folder and 1 when a finding reaches the threshold', async () => {
    expect((await cli('scan', join(dir, 'clean'))).code).toBe(0);
    const bad = await cli('scan', join(dir, 'model'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/CRITICAL .*evil\.bin/);
    expect((await cli('scan', join(dir, 'model'), '--fail-on', 'critical')).code).toBe(1);
  });

  it('prints the JSON contract, folders scanned recursively with digests', async () => {
    const { code, stdout } = await cli('scan', join(dir, 'model'), '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.version).toBe(SAFELOAD_VERSION);
    const byName = Object.fromEntries(
      report.files.map((f: { path: string }) => [f.path.split('/').pop(), f])
    );
    expect(Object.keys(byName).sort()).toEqual(['evil.bin', 'weights.pkl']);
    const evil = byName['evil.bin'];
    expect(evil).toMatchObject({ size: MALICIOUS.length, verdict: 'critical', complete: true });
    expect(evil.sha256).toBe(createHash('sha256').update(MALICIOUS).digest('hex'));
    expect(evil.formats).toContain('pickle');
    const finding = evil.findings.find((f: { severity: string }) => f.severity === 'critical');
    expect(finding).toMatchObject({ location: { offset: expect.any(Number) } });
    expect(finding.ruleId).toMatch(/^[a-z0-9.-]+$/);
    expect(typeof finding.title).toBe('string');
    expect(typeof finding.message).toBe('string');
    expect(finding.location.path).toContain('evil.bin');
    expect(JSON.stringify(finding.evidence)).toContain('system');
    expect(byName['weights.pkl']).toMatchObject({ verdict: 'clean', complete: true, findings: [] });
  });

  it('writes SARIF 2.1.0 that validates against the schema', async () => {
    const sarifPath = join(dir, 'out.sarif');
    const { code } = await cli('scan', join(dir, 'model'), '--sarif', sarifPath);
    expect(code).toBe(1);
    const sarif = JSON.parse(readFileSync(sarifPath, 'utf8'));
    const schemaPath = createRequire(import.meta.url).resolve(
      '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'
    );
    const validator = new Validator(JSON.parse(readFileSync(schemaPath, 'utf8')), '4', false);
    const result = validator.validate(sarif);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const results = sarif.runs[0].results;
    expect(results.some((r: { level: string; ruleId: string }) => r.level === 'error')).toBe(true);
    expect(sarif.runs[0].artifacts).toHaveLength(2);
  });

  it('rejects a SARIF log that breaks the schema (the validator is live)', () => {
    const schemaPath = createRequire(import.meta.url).resolve(
      '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'
    );
    const validator = new Validator(JSON.parse(readFileSync(schemaPath, 'utf8')), '4', false);
    expect(validator.validate({ version: '2.1.0', runs: [{ tool: {} }] }).valid).toBe(false);
  });
});
