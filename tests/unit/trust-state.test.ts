import { createPublicKey, verify } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_POLICY,
  BASELINE_POLICY_NAME,
  checkPolicySet,
  evaluatePolicy,
  STRICT_POLICY,
  STRICT_POLICY_NAME
} from '../../src/lib/core/policy';
import { planRemediation } from '../../src/lib/core/remediation';
import { manifestPayload } from '../../src/lib/core/provenance/signed-manifest';
import {
  exportRegistry,
  parseRegistryExport,
  recordTriage,
  serializeRegistry
} from '../../src/lib/core/registry';
import { MemoryRegistryStore } from './memory-registry-store';
import { dssePae, IN_TOTO_PAYLOAD_TYPE } from '../../src/lib/core/signing/dsse-sign';
import {
  buildTriageReport,
  dependencyText,
  integrityOf,
  safetyHeadline,
  safetySummary,
  signatureText
} from '../../src/lib/core/triage';
import { wrongSigner } from '../../src/lib/core/triage/describe';
import { PolicyState, POLICY_CHOICE_KEY } from '../../src/lib/state/policy.svelte';
import { checkPolicyText, POLICY_STORAGE_KEY } from '../../src/lib/state/policy-text';
import { signedFileRows } from '../../src/lib/core/signing/signature-targets';
import { OWN_KEY_LABEL, SigningKeys } from '../../src/lib/state/signing-keys.svelte';
import { IdbKeyStore } from '../../src/lib/storage/key-idb';
import { fixture, manifestOf, mapStorage, scanFiles } from './policy-fixtures';

describe('the analyst signing key (WebCrypto P-256 in IndexedDB)', () => {
  it('is made non-extractable, signs manifests that verify with its exported public key, survives a reload', async () => {
    const factory = new IDBFactory();
    const keys = new SigningKeys(() => IdbKeyStore.open(factory));
    await keys.load();
    expect(keys.own).toBeNull();
    const manifest = await manifestOf(await scanFiles([['model.pt', fixture('models/torch_state_dict.pt')]]));
    const { signature, publicKey } = await keys.signManifest(manifest);
    expect(keys.own?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const pem = keys.own!.publicKeyPem;
    const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest));
    expect(verify('sha256', pae, createPublicKey(pem), signature)).toBe(true);
    expect(createPublicKey(pem).export({ format: 'der', type: 'spki' })).toEqual(Buffer.from(publicKey));

    // The stored private key cannot be exported, and the same key is back after a reload.
    const stored = await (await IdbKeyStore.open(factory)).own();
    expect(stored!.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', stored!.privateKey)).rejects.toThrow();
    const again = new SigningKeys(() => IdbKeyStore.open(factory));
    await again.load();
    expect(again.own?.fingerprint).toBe(keys.own!.fingerprint);
    expect(again.known).toEqual([{ label: OWN_KEY_LABEL, publicKeyPem: pem }]);

    await again.forget();
    expect(again.own).toBeNull();
    expect(await (await IdbKeyStore.open(factory)).own()).toBeNull();
  });

  it('trusts a colleague key by PEM under a name, and refuses text that is no public key', async () => {
    const keys = new SigningKeys(() => IdbKeyStore.open(new IDBFactory()));
    await keys.load();
    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']))
      .publicKey;
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', other));
    const pem = createPublicKey({ key: spki, format: 'der', type: 'spki' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    expect(await keys.trust(`Alice's key:\n${pem}`, '  Alice  ')).toBe(true);
    expect(keys.trusted.map((k) => k.label)).toEqual(['Alice']);
    expect(keys.known.map((k) => k.label)).toEqual(['Alice']);
    expect(await keys.trust('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'x')).toBe(false);
    expect(keys.error).toMatch(/not a usable public key/);
    await keys.untrust(keys.trusted[0].fingerprint);
    expect(keys.trusted).toEqual([]);
  });
});

describe('the policy choice in the app', () => {
  it('defaults to the baseline, remembers strict, and an edit makes the own text active', () => {
    const storage = mapStorage();
    const policy = new PolicyState(storage);
    expect(policy.choice).toBe(BASELINE_POLICY_NAME);
    expect(policy.set?.name).toBe(BASELINE_POLICY_NAME);
    policy.choose(STRICT_POLICY_NAME);
    expect(new PolicyState(storage).set?.name).toBe(STRICT_POLICY_NAME);
    policy.edit('name: mine\nextends: safeload/baseline\n');
    expect(storage.map.get(POLICY_CHOICE_KEY)).toBe('custom');
    expect(new PolicyState(storage).set?.name).toBe('mine');
    // A policy edited before the choice existed stays the active one.
    const old = mapStorage();
    old.setItem(POLICY_STORAGE_KEY, 'name: legacy\nextends: safeload/builtin\n');
    expect(new PolicyState(old).set?.name).toBe('legacy');
  });

  it('a broken "configured" expression is positioned in the text and makes the rule an error', async () => {
    const text =
      'name: p\nrules:\n  - id: r\n    severity: deny\n    configured: params.nope ==\n    expression: "true"\n    message: m\n';
    const checked = checkPolicyText(text);
    expect(checked.problems).toEqual([
      expect.objectContaining({ line: 5, ruleId: 'r', message: expect.stringContaining('rule r') })
    ]);
    expect(checkPolicySet(checked.set!)).toEqual([expect.objectContaining({ id: 'r', field: 'configured' })]);
    const report = buildTriageReport({
      model: { name: 'm' },
      files: await scanFiles([['model.pt', fixture('models/torch_state_dict.pt')]])
    });
    const evaluation = evaluatePolicy(
      {
        name: 'p',
        params: {},
        rules: [{ id: 'r', severity: 'deny', configured: 'params.x', expression: 'true', message: 'm' }]
      },
      report
    );
    expect(evaluation.outcome).toBe('error');
    // The baseline itself compiles, guards included.
    expect(checkPolicySet(BASELINE_POLICY)).toEqual([]);
  });
});

describe('the registry keeps baseline verdicts', () => {
  it('an export with "not configured" rule outcomes imports back', async () => {
    const report = buildTriageReport({
      model: { name: 'acme/m', version: '1' },
      files: await scanFiles([['model.pt', fixture('models/torch_state_dict.pt')]])
    });
    const store = new MemoryRegistryStore();
    const evaluation = evaluatePolicy(BASELINE_POLICY, report);
    expect(evaluation.counts['not-configured']).toBe(3);
    await recordTriage(store, report, evaluation);
    const text = serializeRegistry(await exportRegistry(store));
    const back = parseRegistryExport(text);
    expect(back.records[0].policyResults[0].results.map((r) => r.outcome)).toContain('not-configured');
  });
});

describe('integrity and safety, described once for every page', () => {
  it('a verified signature over a critical file reads as both, and a wrong signer is never "does not verify"', async () => {
    const files = await scanFiles([['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]]);
    const safety = safetySummary(files.map((f) => f.verdict));
    expect(safety).toMatchObject({ worst: 'critical', attention: 1, scanned: 1 });
    expect(safetyHeadline(safety)).toBe('Do not load: 1 critical');
    expect(safetyHeadline(safetySummary([null, 'clean']))).toBe(
      '1 of 2 scanned, nothing above low; 1 not scanned'
    );

    const report = buildTriageReport({
      model: { name: 'm' },
      files,
      signature: {
        present: true,
        method: 'keyless',
        requested: { identity: 'me@example.com', issuer: 'https://issuer' },
        result: {
          verified: false,
          signer: {
            kind: 'certificate',
            keyKind: 'P-256',
            identities: ['other@example.com'],
            issuer: 'https://issuer',
            claims: []
          },
          lines: [
            { id: 'signature', ok: true, label: '', reason: 'ok' },
            { id: 'identity', ok: false, label: '', reason: 'identity "me@example.com" does not match' }
          ]
        }
      }
    });
    expect(wrongSigner(report.signature)).toBe(true);
    expect(signatureText(report.signature)).toBe(
      'valid signature, but by other@example.com, not the signer expected'
    );
    expect(integrityOf(report).state).toBe('bad');
    const plan = planRemediation(report, evaluatePolicy(STRICT_POLICY, report));
    expect(plan.actions.find((a) => a.kind === 'request-signature')?.targets).toEqual([
      'it is signed by other@example.com, which is not an approved signer'
    ]);
    expect(dependencyText(report.dependencies)).toBe('no dependency files');
  });

  it('signed files carry their own scan verdicts beside what the signature says of them', () => {
    const job = (verdict: 'critical' | 'clean') => ({
      state: 'done' as const,
      report: { verdict } as never
    });
    const rows = signedFileRows(
      {
        kind: 'model',
        lines: [{ id: 'files', ok: false, label: '', reason: '' }],
        ignored: ['README.md'],
        diff: {
          missing: [],
          extra: ['notes.txt'],
          mismatched: [{ name: 'b.bin', expected: 'x', actual: 'y' }],
          matched: 1,
          hashedBytes: 0
        }
      },
      [
        { rel: 'model.sig', job: job('clean') },
        { rel: 'a.bin', job: job('critical') },
        { rel: 'b.bin', job: job('clean') },
        { rel: 'notes.txt', job: job('clean') },
        { rel: 'README.md', job: { state: 'hashing' as const } }
      ],
      'model.sig'
    );
    expect(rows).toEqual([
      { path: 'a.bin', status: 'matches', verdict: 'critical' },
      { path: 'b.bin', status: 'differs', verdict: 'clean' },
      { path: 'notes.txt', status: 'extra', verdict: 'clean' },
      { path: 'README.md', status: 'ignored', verdict: null }
    ]);
  });
});
