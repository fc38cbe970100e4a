import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KEYS, MODELS, SIGSTORE } from '../../../tests/unit/signing-fixtures';
import { describeShared } from '../../../tests/shared-fixtures';
import type { PolicyRequest, SignedFileRef, SigningRequest } from './signing-api';
import { runSigning, trustSummary } from './signing-run';

const KEYLESS: PolicyRequest = {
  mode: 'keyless',
  identity: 'stefanb@us.ibm.com',
  issuer: 'https://sigstore.verify.ibm.com/oauth2',
  match: 'exact'
};

function fileAt(path: string, name: string): File {
  return new File([readFileSync(path)], name);
}

function folder(dir: string): SignedFileRef[] {
  return readdirSync(join(MODELS, dir)).map((n) => ({ path: n, file: fileAt(join(MODELS, dir, n), n) }));
}

function request(dir: string, policy: PolicyRequest, patch: Partial<SigningRequest> = {}): SigningRequest {
  const files = patch.files ?? folder(dir);
  return {
    bundle: files.find((f) => f.path === 'model.sig')!,
    files,
    policy,
    ignorePaths: [],
    ignoreUnsignedFiles: false,
    ...patch
  };
}

const byId = (r: { lines: { id: string; ok: boolean; reason: string }[] }, id: string) =>
  r.lines.find((l) => l.id === id);

describeShared('signing worker runner on real fixtures', () => {
  it('verifies a keyless model folder and reports the signer', async () => {
    const r = await runSigning(request('v1.1.0-sigstore', KEYLESS));
    expect(r.kind).toBe('model');
    expect(r.verified, JSON.stringify(r.lines)).toBe(true);
    expect(r.signer?.identities).toContain('stefanb@us.ibm.com');
    expect(r.manifest).toMatchObject({ method: 'files', hashType: 'sha256', resources: 2 });
    expect(r.diff?.matched).toBe(2);
  });

  it('finds the one file a single-file model signature covers', async () => {
    const publicKey = { text: readFileSync(join(KEYS, 'signing-key-pub.pem'), 'utf8') };
    const r = await runSigning(request('v1.0.0-elliptic-key', { mode: 'key', publicKey }));
    expect(r.verified, JSON.stringify(r.lines)).toBe(true);
    expect(r.target).toBe('signme-1');
  });

  it('reads a CA file given as a File and checks the chain', async () => {
    const ca = { file: fileAt(join(KEYS, 'ca-cert.pem'), 'ca-cert.pem') };
    const r = await runSigning(request('v1.1.0-certificate', { mode: 'certificate', ca }));
    expect(r.verified, JSON.stringify(r.lines)).toBe(true);
    expect(byId(r, 'chain')?.ok).toBe(true);
  });

  it('reuses a SHA-256 from the hashing stage instead of re-reading the file', async () => {
    const files = folder('v1.1.0-sigstore').map((f) =>
      f.path === 'signme-1' ? { ...f, sha256: 'ab'.repeat(32) } : f
    );
    const r = await runSigning(request('v1.1.0-sigstore', KEYLESS, { files }));
    expect(r.verified).toBe(false);
    expect(r.diff?.mismatched).toEqual([
      {
        name: 'signme-1',
        expected: 'f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1',
        actual: 'ab'.repeat(32)
      }
    ]);
  });

  it('applies ignore paths and the ignore-unsigned-files option', async () => {
    const policy: PolicyRequest = {
      mode: 'key',
      publicKey: { text: readFileSync(join(KEYS, 'signing-key-pub.pem'), 'utf8') }
    };
    const plain = await runSigning(request('v1.0.1-elliptic-key', policy));
    expect(plain.diff?.extra).toEqual(['ignore-me']);
    const ignored = await runSigning(request('v1.0.1-elliptic-key', policy, { ignorePaths: ['ignore-me'] }));
    expect(ignored.verified).toBe(true);
    expect(ignored.ignored).toContain('ignore-me');
    const unsigned = await runSigning(request('v1.0.1-elliptic-key', policy, { ignoreUnsignedFiles: true }));
    expect(unsigned.verified).toBe(true);
  });

  it('verifies an in-toto attestation against the artifact named like it', async () => {
    const dir = join(SIGSTORE, 'npm-pacote');
    const bundle = {
      path: 'sigstore-0.4.0.tgz.sigstore.json',
      file: fileAt(join(dir, 'valid.provenance.bundle.json'), 'b')
    };
    const tgz = { path: 'sigstore-0.4.0.tgz', file: fileAt(join(dir, 'artifact/sigstore-0.4.0.tgz'), 't') };
    const other = { path: 'README.md', file: new File(['hello'], 'README.md') };
    const policy: PolicyRequest = {
      mode: 'keyless',
      identity: 'https://github.com/sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v0.4.0',
      issuer: 'https://token.actions.githubusercontent.com',
      match: 'exact'
    };
    const r = await runSigning({
      bundle,
      files: [bundle, tgz, other],
      policy,
      ignorePaths: [],
      ignoreUnsignedFiles: false
    });
    expect(r.kind).toBe('artifact');
    expect(r.verified, JSON.stringify(r.lines)).toBe(true);
    expect(r.target).toBe('sigstore-0.4.0.tgz');
    expect(r.statement?.predicateType).toBe('https://slsa.dev/provenance/v0.2');
    const wrong = await runSigning({
      bundle,
      files: [bundle, tgz, other],
      policy,
      ignorePaths: [],
      ignoreUnsignedFiles: false,
      target: 'README.md'
    });
    expect(wrong.verified).toBe(false);
    expect(byId(wrong, 'subject')?.reason).toMatch(/README\.md .* matches no subject/);
  });

  it('summarises the built-in root and a user-supplied ClientTrustConfig', async () => {
    const builtIn = await trustSummary();
    expect(builtIn.origin).toMatch(/public-good/);
    expect(builtIn.certificateAuthorities).toBeGreaterThan(0);
    const custom = await trustSummary(
      fileAt(join(SIGSTORE, 'model-transparency/custom_trust_config.json'), 'custom_trust_config.json')
    );
    expect(custom.origin).toBe('custom_trust_config.json');
    expect(custom.mediaType).toMatch(/trustedroot/);
  });

  it('refuses a bundle that is not JSON with a clear error', async () => {
    const bad = { path: 'model.sig', file: new File(['not json'], 'model.sig') };
    await expect(
      runSigning({ bundle: bad, files: [bad], policy: KEYLESS, ignorePaths: [], ignoreUnsignedFiles: false })
    ).rejects.toThrow(/bundle is not JSON/);
  });
});
