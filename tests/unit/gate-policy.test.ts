import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTotoStatement } from '../../src/lib/core/provenance/in-toto';
import { manifestPayload, signedManifestBundle } from '../../src/lib/core/provenance/signed-manifest';
import { toYaml } from '../../src/lib/core/provenance/yaml';
import { dssePae, IN_TOTO_PAYLOAD_TYPE } from '../../src/lib/core/signing/dsse-sign';
import { keyFingerprint } from '../../src/lib/core/signing/key-fingerprint';
import { describeShared, sharedPath } from '../shared-fixtures';
import { cli } from './cli-run';
import { fixture, manifestOf, scanFiles } from './policy-fixtures';

const outcome = (stdout: string, rule: string) =>
  new RegExp(`^${rule}\\s+\\w+\\s+(PASS|VIOLATION|ERROR|NOT CONFIGURED)`, 'm').exec(stdout)?.[1];

let dir: string;
const path = (...p: string[]) => join(dir, ...p);
const CARD = '---\nlicense: apache-2.0\n---\n# A benign model\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-gate-policy-'));
  // Real PyTorch files made by torch.save (tests/fixtures/make_fixtures.py).
  const folders: Record<string, string> = {
    benign: 'models/torch_state_dict.pt',
    malicious: 'models/torch_zip_os_system.pt',
    traversal: 'models/zip_traversal.zip'
  };
  for (const [name, file] of Object.entries(folders)) {
    mkdirSync(path(name));
    copyFileSync(fixture(file), path(name, file.split('/')[1]));
    writeFileSync(path(name, 'README.md'), CARD);
  }
  mkdirSync(path('incomplete'));
  const pickle = readFileSync(fixture('pickle/ordereddict_p2.pkl'));
  // Benign weights beside a FIFO: the folder entry is not read, so the model is not fully analysed.
  mkdirSync(path('unread'));
  copyFileSync(fixture('models/torch_state_dict.pt'), path('unread', 'model.pt'));
  execFileSync('mkfifo', [path('unread', 'pytorch_model.bin')]);
  writeFileSync(path('incomplete', 'cut.pkl'), pickle.subarray(0, Math.floor(pickle.length / 2)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gate: the baseline by default, the strict set on request', () => {
  it('a benign model passes the baseline (exit 0) with its requirements "not configured", fails strict (exit 1)', async () => {
    const baseline = await cli('gate', path('benign'));
    expect(baseline.stderr).toBe('');
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toContain('Policy safeload/baseline:');
    for (const rule of ['approved-signer', 'provenance-pinned', 'license-allowed'])
      expect(outcome(baseline.stdout, rule)).toBe('NOT CONFIGURED');
    expect(outcome(baseline.stdout, 'no-critical-findings')).toBe('PASS');
    expect(baseline.stdout).toMatch(/^licence\s+apache-2\.0\s+model-card$/m);

    const strict = await cli('gate', path('benign'), '--policy', 'safeload/strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('Policy safeload/strict:');
    expect(outcome(strict.stdout, 'approved-signer')).toBe('VIOLATION');
    expect(outcome(strict.stdout, 'provenance-pinned')).toBe('VIOLATION');
    // The licence from the model card's front matter is on the strict set's allowlist.
    expect(outcome(strict.stdout, 'license-allowed')).toBe('PASS');
  });

  it('what makes loading unsafe fails both: critical, high, incomplete', async () => {
    for (const [folder, rule] of [
      ['malicious', 'no-critical-findings'],
      ['traversal', 'no-high-findings'],
      ['incomplete', 'fully-analysed']
    ]) {
      for (const policy of [[], ['--policy', 'safeload/strict']]) {
        const r = await cli('gate', path(folder), ...policy);
        expect(r.code, `${folder} ${policy.join(' ')}`).toBe(1);
        expect(outcome(r.stdout, rule)).toBe('VIOLATION');
      }
    }
    const json = JSON.parse((await cli('gate', path('malicious'), '--json')).stdout);
    expect(json.evaluation.policy.name).toBe('safeload/baseline');
    expect(json.evaluation.counts).toMatchObject({ 'not-configured': 3 });
    // Quarantine comes first, with the file's SHA-256.
    expect(json.remediation.actions[0].kind).toBe('quarantine');
    expect(json.remediation.actions[0].targets[0]).toMatch(
      /^torch_zip_os_system\.pt \(sha256 [0-9a-f]{64}\)/
    );
  });

  it('incomplete analysis: one completeness rule, a deny in the baseline and a warning with --allow-incomplete', async () => {
    const denied = await cli('gate', path('unread'));
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/^fully-analysed\s+deny\s+VIOLATION/m);
    // The baseline's own rule is the completeness requirement: the gate adds no second one.
    expect(denied.stdout).not.toContain('safeload/scan-complete');
    const allowed = await cli('gate', path('unread'), '--allow-incomplete');
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.stdout).toMatch(/^fully-analysed\s+warn\s+VIOLATION/m);
    // A custom set without the rule gets the gate's own, with the same switch.
    writeFileSync(
      path('critical-only.yaml'),
      'kind: PolicySet\nname: critical-only\nrules:\n  - id: no-critical\n    severity: deny\n    expression: model.findingCounts.critical == 0\n    message: critical\n'
    );
    const custom = await cli('gate', path('unread'), '--policy', path('critical-only.yaml'));
    expect(custom.code).toBe(1);
    expect(custom.stdout).toMatch(/^safeload\/scan-complete\s+deny\s+VIOLATION/m);
    const customAllowed = await cli(
      'gate',
      path('unread'),
      '--policy',
      path('critical-only.yaml'),
      '--allow-incomplete'
    );
    expect(customAllowed.code).toBe(0);
  });

  it('a policy extending the baseline configures a requirement, which then applies', async () => {
    writeFileSync(
      path('licences.yaml'),
      'kind: PolicySet\nname: licences\nextends: safeload/baseline\nparams:\n  allowedLicenses: [mit]\n'
    );
    const r = await cli('gate', path('benign'), '--policy', path('licences.yaml'));
    expect(r.code).toBe(1);
    expect(outcome(r.stdout, 'license-allowed')).toBe('VIOLATION');
    expect(outcome(r.stdout, 'approved-signer')).toBe('NOT CONFIGURED');
  });
});

describe('gate --manifest reads every exported form; signed manifests need their key', () => {
  let pem: string;
  let otherPem: string;

  beforeAll(async () => {
    const reports = await scanFiles([
      ['torch_state_dict.pt', path('benign', 'torch_state_dict.pt')],
      ['README.md', path('benign', 'README.md')]
    ]);
    const manifest = await manifestOf(reports);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    otherPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const der = sign(
      'sha256',
      dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest)),
      createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }))
    );
    writeFileSync(path('m.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(path('m.yaml'), toYaml(manifest));
    writeFileSync(path('m.intoto.json'), JSON.stringify(inTotoStatement(manifest), null, 2));
    const bundle = signedManifestBundle(manifest, der, keyFingerprint(spki));
    writeFileSync(path('m.sigstore.json'), JSON.stringify(bundle, null, 2));
    writeFileSync(path('key.pem'), pem);
    writeFileSync(path('other.pem'), otherPem);
  });

  it('JSON, YAML and in-toto manifests all verify the folder (exit 0)', async () => {
    for (const file of ['m.json', 'm.yaml', 'm.intoto.json', 'm.sigstore.json']) {
      const r = await cli('gate', path('benign'), '--manifest', path(file));
      expect(r.stderr, file).toBe('');
      expect(r.code, file).toBe(0);
      expect(r.stdout).toMatch(/^provenance\s+VERIFIED\s+acme\/tiny-model @ 0123456789abcdef/m);
      // Giving a manifest configures provenance-pinned, which then passes.
      expect(outcome(r.stdout, 'provenance-pinned')).toBe('PASS');
    }
    const unsigned = await cli('gate', path('benign'), '--manifest', path('m.json'));
    expect(unsigned.stdout).toContain('unsigned manifest (a claim, not a signature)');
    const unchecked = await cli('gate', path('benign'), '--manifest', path('m.sigstore.json'));
    expect(unchecked.stdout).toContain('signature not checked');
  });

  it('--manifest-key: the right key verifies (exit 0); another key, an unsigned or edited manifest is exit 2', async () => {
    const ok = await cli(
      'gate',
      path('benign'),
      '--manifest',
      path('m.sigstore.json'),
      '--manifest-key',
      path('key.pem')
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/manifest signed by key [0-9a-f]{64}/);
    const other = await cli(
      'gate',
      path('benign'),
      '--manifest',
      path('m.sigstore.json'),
      '--manifest-key',
      path('other.pem')
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/signed by another key/);
    const unsigned = await cli(
      'gate',
      path('benign'),
      '--manifest',
      path('m.json'),
      '--manifest-key',
      path('key.pem')
    );
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toMatch(/not signed/);
    const bundle = JSON.parse(readFileSync(path('m.sigstore.json'), 'utf8'));
    bundle.dsseEnvelope.signatures[0].sig = Buffer.from(new Uint8Array(70).fill(7)).toString('base64');
    writeFileSync(path('bad.sigstore.json'), JSON.stringify(bundle));
    const bad = await cli(
      'gate',
      path('benign'),
      '--manifest',
      path('bad.sigstore.json'),
      '--manifest-key',
      path('key.pem')
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/does not verify/);
  });

  it('safeload verify --key checks a signed manifest and every file against it', async () => {
    const ok = await cli(
      'verify',
      path('benign'),
      '--signature',
      path('m.sigstore.json'),
      '--key',
      path('key.pem')
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2 file(s) match the signed manifest');
    mkdirSync(path('changed'));
    copyFileSync(path('benign', 'torch_state_dict.pt'), path('changed', 'torch_state_dict.pt'));
    writeFileSync(path('changed', 'README.md'), CARD.replace('apache', 'mit'));
    const changed = await cli(
      'verify',
      path('changed'),
      '--signature',
      path('m.sigstore.json'),
      '--key',
      path('key.pem')
    );
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('1 differ');
    const wrongKey = await cli(
      'verify',
      path('benign'),
      '--signature',
      path('m.sigstore.json'),
      '--key',
      path('other.pem')
    );
    expect(wrongKey.code).toBe(1);
  });
});

describeShared('gate --key and --certificate-chain, as verify takes them', () => {
  const MT = sharedPath('fixtures/sigstore/model-transparency');
  const model = (name: string) => join(MT, 'scripts-tests', name);

  it('a model signed with a key verifies with that key; the gate then passes the baseline', async () => {
    const r = await cli('gate', model('v1.1.0-elliptic-key'), '--key', join(MT, 'keys/signing-key-pub.pem'));
    expect(r.code).toBe(0);
    // The fingerprint is SHA-256 over the key's DER SubjectPublicKeyInfo, as certtool's "Public Key ID" says.
    expect(r.stdout).toMatch(
      /^signature\s+VERIFIED\s+key c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d$/m
    );
    expect(outcome(r.stdout, 'approved-signer')).toBe('PASS');
    // A CA chain cannot verify a key signature: the requirement the operator set then fails.
    const chain = await cli(
      'gate',
      model('v1.1.0-elliptic-key'),
      '--certificate-chain',
      join(MT, 'keys/ca-cert.pem')
    );
    expect(chain.code).toBe(1);
    expect(outcome(chain.stdout, 'approved-signer')).toBe('VIOLATION');
    const certified = await cli(
      'gate',
      model('v1.1.0-certificate'),
      '--certificate-chain',
      join(MT, 'keys/ca-cert.pem')
    );
    expect(certified.code).toBe(0);
    expect(certified.stdout).toMatch(/^signature\s+VERIFIED/m);
  });

  it('a valid signature by another identity is WRONG SIGNER, not a failed signature', async () => {
    const r = await cli(
      'gate',
      model('v1.0.0-sigstore'),
      '--identity',
      'someone@example.com',
      '--issuer',
      'https://sigstore.verify.ibm.com/oauth2'
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^signature\s+WRONG SIGNER\s+identity "someone@example\.com" does not match/m);
  });

  it('--key with --identity is a usage error (exit 2)', async () => {
    const r = await cli(
      'gate',
      model('v1.1.0-elliptic-key'),
      '--key',
      join(MT, 'keys/signing-key-pub.pem'),
      '--identity',
      'x',
      '--issuer',
      'y'
    );
    expect(r.code).toBe(2);
  });
});
