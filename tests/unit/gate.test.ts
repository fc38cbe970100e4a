import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, expect, it } from 'vitest';
import { cli } from './cli-run';
import { loadOsvRecords } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';
import { fixture, manifestOf, scanFiles, signedFile, SIGNER } from './policy-fixtures';

const gate = (...args: string[]) => cli('gate', ...args);

describeShared('safeload gate', () => {
  let dir: string;
  const path = (...p: string[]) => join(dir, ...p);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safeload-gate-'));
    // Compliant: the OpenSSF-signed fixture model, its committed manifest outside the folder.
    mkdirSync(path('compliant'));
    for (const name of ['signme-1', 'signme-2', 'model.sig'])
      copyFileSync(signedFile(name), path('compliant', name));
    const reports = await scanFiles(
      ['signme-1', 'signme-2', 'model.sig'].map((n) => [n, path('compliant', n)])
    );
    writeFileSync(
      path('manifest.json'),
      JSON.stringify(await manifestOf(reports, { licenses: ['apache-2.0'] }))
    );
    // Non-compliant: an os.system pickle, a vulnerable torch pin and a non-commercial licence.
    mkdirSync(path('vendor'));
    copyFileSync(fixture('models/torch_zip_os_system.pt'), path('vendor', 'pytorch_model.bin'));
    writeFileSync(path('vendor', 'requirements.txt'), 'torch==2.5.1\ntransformers==4.38.0\n');
    writeFileSync(path('vendor', 'README.md'), '---\nlicense: cc-by-nc-4.0\n---\n# Vendor model\n');
    // An offline OSV database (OSV's PyPI all.zip layout) made of the real fixture advisories.
    const entries = Object.fromEntries(
      loadOsvRecords().map((r) => [`${r.id}.json`, new TextEncoder().encode(JSON.stringify(r))])
    );
    writeFileSync(path('osv.zip'), zipSync(entries));
  });

  it('passes a compliant model folder (exit 0) and writes SARIF and CycloneDX', async () => {
    const r = await gate(
      path('compliant'),
      '--manifest',
      path('manifest.json'),
      '--identity',
      SIGNER.identity,
      '--issuer',
      SIGNER.issuer,
      '--sarif',
      path('compliant.sarif'),
      '--cyclonedx',
      path('compliant.cdx.json')
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^signature\s+VERIFIED\s+stefanb@us\.ibm\.com/m);
    expect(r.stdout).toMatch(/^provenance\s+VERIFIED\s+acme\/tiny-model @ 0123456789abcdef/m);
    expect(r.stdout).toMatch(/^licence\s+apache-2\.0\s+manifest$/m);
    expect(r.stdout).not.toContain('VIOLATION');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Gate: PASS');
    const sarif = JSON.parse(readFileSync(path('compliant.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].artifacts.map((a: { location: { uri: string } }) => a.location.uri)).toEqual([
      'model.sig',
      'signme-1',
      'signme-2'
    ]);
    expect(sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId.startsWith('policy/'))).toEqual(
      []
    );
    const bom = JSON.parse(readFileSync(path('compliant.cdx.json'), 'utf8'));
    expect(bom.bomFormat).toBe('CycloneDX');
  });

  it('fails a non-compliant folder (exit 1) with every violation, its remediation and SARIF', async () => {
    const r = await gate(
      path('vendor'),
      '--policy',
      'safeload/strict',
      '--osv-db',
      path('osv.zip'),
      '--sarif',
      path('vendor.sarif'),
      '--report',
      path('vendor.md')
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^scan\s+CRITICAL/m);
    expect(r.stdout).toMatch(/^dependencies\s+VULNERABLE\s+.*torch 2\.5\.1/m);
    expect(r.stdout).toMatch(/^licence\s+cc-by-nc-4\.0\s+model-card$/m);
    for (const rule of [
      'no-unsafe-pickle',
      'approved-signer',
      'no-critical-findings',
      'provenance-pinned',
      'no-vulnerable-loaders',
      'license-allowed'
    ])
      expect(r.stdout).toMatch(new RegExp(`^${rule}\\s+deny\\s+VIOLATION`, 'm'));
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Gate: FAIL');
    const md = readFileSync(path('vendor.md'), 'utf8');
    expect(md).toContain('Upgrade torch 2.5.1 → 2.6.0');
    // The only pickle is critical: it is quarantined, and safetensors come from the vendor.
    expect(md).toContain('### 1. Do not load the model; quarantine it and report it');
    expect(md).toContain('Get safetensors weights from the vendor instead of the quarantined files');
    const sarif = JSON.parse(readFileSync(path('vendor.sarif'), 'utf8'));
    const ids = sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId);
    expect(ids).toContain('pickle.call.dangerous');
    expect(ids).toContain('policy/no-critical-findings');
  });

  it('--json prints the triage, the evaluation and the remediation plan; offline by default', async () => {
    const r = await gate(path('vendor'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.triage.dependencies).toMatchObject({ audited: false, source: null });
    expect(out.triage.dependencies.notAuditedReason).toMatch(/offline/);
    expect(out.evaluation.outcome).toBe('fail');
    expect(out.evaluation.results.find((x: { id: string }) => x.id === 'loaders-audited').outcome).toBe(
      'violation'
    );
    expect(out.remediation.actions.length).toBeGreaterThan(0);
  });

  it('a policy with an invalid expression is an error (exit 2) with its position', async () => {
    writeFileSync(
      path('broken.yaml'),
      'name: broken\nrules:\n  - id: typo\n    severity: deny\n    expression: model.files.exists(f, f.format ==)\n    message: m\n'
    );
    const r = await gate(path('compliant'), '--policy', path('broken.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path('broken.yaml')}:5:17: rule typo: syntax error at expression 1:34: Unexpected token: RPAREN`
    );
  });

  it('a custom policy that passes the same folder exits 0; usage errors exit 2', async () => {
    writeFileSync(
      path('lenient.json'),
      JSON.stringify({
        rules: [
          {
            id: 'no-critical',
            severity: 'deny',
            expression: 'model.findingCounts.critical == 0',
            message: 'm'
          }
        ]
      })
    );
    expect((await gate(path('compliant'), '--policy', path('lenient.json'))).code).toBe(0);
    expect((await gate(path('vendor'), '--policy', path('lenient.json'))).code).toBe(1);
    expect((await gate(path('missing'))).code).toBe(2);
    expect((await gate(path('vendor'), '--identity', 'x')).code).toBe(2);
    expect((await gate(path('vendor'), '--osv-api', 'https://example.invalid')).code).toBe(2);
  });
});
