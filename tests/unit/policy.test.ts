import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileReport } from '../../src/lib/core/findings';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluateDocument, evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { parsePolicySet } from '../../src/lib/core/policy/policy-set';
import type { PolicyEvaluation } from '../../src/lib/core/policy/types';
import { matchFiles } from '../../src/lib/core/provenance/match';
import { expectedFromManifest } from '../../src/lib/core/provenance/manifest';
import { buildTriageReport, type TriageParts } from '../../src/lib/core/triage/build';
import {
  auditRequirements,
  fixture,
  manifestOf,
  scanFiles,
  signatureOf,
  signedFile,
  SIGNER
} from './policy-fixtures';
import { describeShared, sharedPath } from '../shared-fixtures';

const EXAMPLES = sharedPath('fixtures/policy-examples');
const APPROVED = { ...STRICT_POLICY, params: { ...STRICT_POLICY.params, approvedSigners: [SIGNER] } };

function outcomeOf(evaluation: PolicyEvaluation, id: string) {
  const r = evaluation.results.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r.outcome;
}

function triage(files: FileReport[], extra: Partial<TriageParts> = {}) {
  return buildTriageReport({ model: { name: 'acme/tiny-model', version: '1' }, files, ...extra });
}

describeShared('the example policy set from the fixture set', () => {
  it('parses and judges the example input: pickle, unsigned and a CRITICAL torch advisory', () => {
    const set = parsePolicySet(readFileSync(join(EXAMPLES, 'ml-gate.cel.json'), 'utf8'), 'ml-gate.cel.json');
    const input = JSON.parse(readFileSync(join(EXAMPLES, 'input.example.json'), 'utf8'));
    const evaluation = evaluateDocument(set, { ...input, audit: {}, params: set.params });
    expect(evaluation.results.map((r) => [r.id, r.outcome])).toEqual([
      ['no-pickle', 'violation'],
      ['signed-approved-vendor', 'violation'],
      ['no-critical-vulns', 'violation']
    ]);
    expect(evaluation.outcome).toBe('fail');
    // Dropping the pickle file and the torch advisory leaves only the signature rule failing.
    input.model.files = input.model.files.filter((f: { format: string }) => f.format === 'safetensors');
    input.dependencies[0].vulns = [];
    const second = evaluateDocument(set, { ...input, audit: {}, params: set.params });
    expect(second.counts).toEqual({ pass: 2, violation: 1, error: 0, 'not-configured': 0 });
  });
});

let benign: FileReport[];
let malicious: FileReport[];
beforeAll(async () => {
  benign = await scanFiles([
    ['model.safetensors', fixture('safetensors/tiny-benign.safetensors')],
    ['pytorch_model.bin', fixture('models/torch_state_dict.pt')]
  ]);
  malicious = await scanFiles([['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]]);
});

describe('built-in rules on reports built from real fixtures', () => {
  it('no-unsafe-pickle: a weights-only state dict passes, a pickled module fails', async () => {
    const pass = triage(benign);
    expect(pass.files.find((f) => f.path === 'pytorch_model.bin')?.pickle).toEqual({
      present: true,
      weightsOnly: true,
      unsafeImports: []
    });
    expect(outcomeOf(evaluatePolicy(APPROVED, pass), 'no-unsafe-pickle')).toBe('pass');
    const module = triage(await scanFiles([['model.pt', fixture('models/torch_full_module.pt')]]));
    expect(module.files[0].pickle.weightsOnly).toBe(false);
    expect(module.files[0].pickle.unsafeImports.length).toBeGreaterThan(0);
    expect(outcomeOf(evaluatePolicy(APPROVED, module), 'no-unsafe-pickle')).toBe('violation');
    const joblib = triage(await scanFiles([['model.joblib', fixture('models/sklearn_logreg.joblib')]]));
    expect(outcomeOf(evaluatePolicy(APPROVED, joblib), 'no-unsafe-pickle')).toBe('violation');
  });

  it('no-critical-findings: benign passes, an os.system pickle fails', () => {
    expect(outcomeOf(evaluatePolicy(APPROVED, triage(benign)), 'no-critical-findings')).toBe('pass');
    const bad = triage(malicious);
    expect(bad.summary.findingCounts.critical).toBeGreaterThan(0);
    expect(outcomeOf(evaluatePolicy(APPROVED, bad), 'no-critical-findings')).toBe('violation');
  });

  it('provenance-pinned: verified at a full commit passes; a changed file or a branch fails', async () => {
    const manifest = await manifestOf(benign);
    const ok = triage(benign, {
      provenance: { manifest, match: matchFiles(expectedFromManifest(manifest), local(benign)) }
    });
    expect(ok.provenance).toMatchObject({ present: true, verified: true, pinned: true });
    expect(outcomeOf(evaluatePolicy(APPROVED, ok), 'provenance-pinned')).toBe('pass');
    // Same names, but pytorch_model.bin is now the malicious file.
    const swapped = await scanFiles([
      ['model.safetensors', fixture('safetensors/tiny-benign.safetensors')],
      ['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]
    ]);
    const bad = triage(swapped, {
      provenance: { manifest, match: matchFiles(expectedFromManifest(manifest), local(swapped)) }
    });
    expect(bad.provenance.problems.map((p) => p.path)).toEqual(['pytorch_model.bin']);
    expect(outcomeOf(evaluatePolicy(APPROVED, bad), 'provenance-pinned')).toBe('violation');
    const branch = await manifestOf(benign, { commit: null });
    const unpinned = triage(benign, {
      provenance: { manifest: branch, match: matchFiles(expectedFromManifest(branch), local(benign)) }
    });
    expect(unpinned.provenance).toMatchObject({ verified: true, pinned: false });
    expect(outcomeOf(evaluatePolicy(APPROVED, unpinned), 'provenance-pinned')).toBe('violation');
    expect(outcomeOf(evaluatePolicy(APPROVED, triage(benign)), 'provenance-pinned')).toBe('violation');
  });

  it('license-allowed: apache-2.0 from a model card passes; cc-by-nc-4.0 or none fails', () => {
    const allowed = triage(benign, { license: { id: 'apache-2.0', source: 'model-card' } });
    expect(outcomeOf(evaluatePolicy(APPROVED, allowed), 'license-allowed')).toBe('pass');
    const nc = triage(benign, { license: { id: 'cc-by-nc-4.0', source: 'model-card' } });
    expect(outcomeOf(evaluatePolicy(APPROVED, nc), 'license-allowed')).toBe('violation');
    expect(outcomeOf(evaluatePolicy(APPROVED, triage(benign)), 'license-allowed')).toBe('violation');
  });

  it('fully-analysed (warn): a truncated pickle is reported as incomplete', async () => {
    expect(outcomeOf(evaluatePolicy(APPROVED, triage(benign)), 'fully-analysed')).toBe('pass');
    const bytes = readFileSync(fixture('pickle/ordereddict_p2.pkl'));
    const cut = join(mkdtempSync(join(tmpdir(), 'safeload-policy-')), 'cut.pkl');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const truncated = await scanFiles([['cut.pkl', cut]]);
    const report = triage(truncated);
    expect(report.summary.complete).toBe(false);
    expect(outcomeOf(evaluatePolicy(APPROVED, report), 'fully-analysed')).toBe('violation');
  });
});

describeShared('built-in rules with the signed model and real advisories from the fixture set', () => {
  it('approved-signer: the signed fixture passes for its signer, fails for another identity or unsigned', async () => {
    const files = await scanFiles([
      ['signme-1', signedFile('signme-1')],
      ['signme-2', signedFile('signme-2')]
    ]);
    const signed = triage(files, { signature: await signatureOf(SIGNER) });
    expect(signed.signature).toMatchObject({
      verified: true,
      identity: SIGNER.identity,
      issuer: SIGNER.issuer
    });
    expect(outcomeOf(evaluatePolicy(APPROVED, signed), 'approved-signer')).toBe('pass');
    // Verified, but the policy approves someone else.
    const other = {
      ...APPROVED,
      params: { ...APPROVED.params, approvedSigners: [{ ...SIGNER, identity: 'x@y.z' }] }
    };
    expect(outcomeOf(evaluatePolicy(other, signed), 'approved-signer')).toBe('violation');
    // The verifier is asked for another identity: the signature does not verify for it.
    const wrong = triage(files, {
      signature: await signatureOf({ ...SIGNER, identity: 'mallory@example.com' })
    });
    expect(wrong.signature.verified).toBe(false);
    expect(wrong.signature.error).toBeTruthy();
    expect(outcomeOf(evaluatePolicy(APPROVED, wrong), 'approved-signer')).toBe('violation');
    expect(outcomeOf(evaluatePolicy(APPROVED, triage(files)), 'approved-signer')).toBe('violation');
  });

  it('no-vulnerable-loaders: torch 2.6.0 passes, torch 2.5.1 (GHSA-53q9-r3pm-6pq6) fails', async () => {
    const fixed = triage(benign, { dependencies: await auditRequirements('torch==2.6.0\n') });
    expect(fixed.dependencies.packages.map((d) => [d.name, d.vulns.length])).toEqual([['torch', 0]]);
    expect(outcomeOf(evaluatePolicy(APPROVED, fixed), 'no-vulnerable-loaders')).toBe('pass');
    const old = triage(benign, { dependencies: await auditRequirements('torch==2.5.1\n') });
    const torch = old.dependencies.packages[0];
    expect(
      torch.vulns.some((v) => v.id === 'GHSA-53q9-r3pm-6pq6' || v.aliases.includes('GHSA-53q9-r3pm-6pq6'))
    ).toBe(true);
    expect(torch.fixVersion).toBe('2.6.0');
    expect(outcomeOf(evaluatePolicy(APPROVED, old), 'no-vulnerable-loaders')).toBe('violation');
    // A vulnerable package that does not load models is not this rule's business.
    const notLoader = { ...APPROVED, params: { ...APPROVED.params, loaderPackages: ['onnx'] } };
    expect(outcomeOf(evaluatePolicy(notLoader, old), 'no-vulnerable-loaders')).toBe('pass');
  });

  it('loaders-audited (warn): pinned loaders without an audit are reported but do not fail the gate', async () => {
    const audited = await auditRequirements('torch==2.6.0\n');
    const skipped = triage(benign, { dependencies: { collected: audited.collected, audit: null } });
    const evaluation = evaluatePolicy(APPROVED, skipped);
    expect(outcomeOf(evaluation, 'loaders-audited')).toBe('violation');
    expect(
      outcomeOf(evaluatePolicy(APPROVED, triage(benign, { dependencies: audited })), 'loaders-audited')
    ).toBe('pass');
  });

  it('a fully compliant model passes every rule', async () => {
    const files = await scanFiles([
      ['signme-1', signedFile('signme-1')],
      ['signme-2', signedFile('signme-2')]
    ]);
    const manifest = await manifestOf(files);
    const report = triage(files, {
      signature: await signatureOf(SIGNER),
      provenance: { manifest, match: matchFiles(expectedFromManifest(manifest), local(files)) },
      dependencies: await auditRequirements('torch==2.6.0\n'),
      license: { id: 'apache-2.0', source: 'manifest' }
    });
    const evaluation = evaluatePolicy(APPROVED, report);
    expect(evaluation.results.filter((r) => r.outcome !== 'pass')).toEqual([]);
    expect(evaluation.outcome).toBe('pass');
  });
});

function local(reports: readonly FileReport[]) {
  return reports.map((r) => ({ path: r.path, size: r.size, sha256: r.sha256, gitSha1: r.gitSha1 }));
}
