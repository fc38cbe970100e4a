import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import type { ModelFile } from '../../src/lib/core/signing/model-diff';
import type { SignerPolicy } from '../../src/lib/core/signing/verify-bundle';
import { verifyModelSignature, type VerificationResult } from '../../src/lib/core/signing/verify-model';
import { describeShared } from '../shared-fixtures';
import { KEYS, MODELS, text } from './signing-fixtures';

const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const CA = () => text(join(KEYS, 'ca-cert.pem'));
const PUB = () => text(join(KEYS, 'signing-key-pub.pem'));

function policyFor(dir: string): SignerPolicy {
  if (dir.endsWith('-certificate')) return { mode: 'certificate', caPem: CA() };
  if (dir.endsWith('-elliptic-key')) return { mode: 'key', publicKeyPem: PUB() };
  return { mode: 'keyless', identity: IDENTITY, issuer: ISSUER };
}

/** The model as model_signing saw it: the folder, or (v0.3.1/v1.0.0 key) the single file signme-1. */
function modelFiles(dir: string): ModelFile[] {
  const sig = JSON.parse(text(join(MODELS, dir, 'model.sig'))) as { dsseEnvelope: { payload: string } };
  const single = Buffer.from(sig.dsseEnvelope.payload, 'base64').toString().includes('"name": "."');
  const names = single
    ? ['signme-1']
    : readdirSync(join(MODELS, dir)).filter((n) => statSync(join(MODELS, dir, n)).isFile());
  return names.map((n) => ({
    path: single ? '.' : n,
    source: memorySource(new Uint8Array(readFileSync(join(MODELS, dir, n))), n)
  }));
}

function verify(dir: string, overrides: Partial<Parameters<typeof verifyModelSignature>[0]> = {}) {
  return verifyModelSignature({
    bundle: text(join(MODELS, dir, 'model.sig')),
    policy: policyFor(dir),
    files: modelFiles(dir),
    // Before v1.1 the ignore list is not in the signature (MANIFEST: "needs --ignore-paths ignore-me").
    ignorePaths: dir.startsWith('v1.0.1') ? ['ignore-me'] : [],
    ...overrides
  });
}

function failures(r: VerificationResult): string {
  return r.lines
    .filter((l) => !l.ok)
    .map((l) => `${l.id}: ${l.reason}`)
    .join('\n');
}

describeShared('OpenSSF model signing fixtures', () => {
  const DIRS = readdirSync(MODELS).sort();
  it('has the 13 signed models', () => expect(DIRS).toHaveLength(13));
  for (const dir of DIRS) {
    it(`${dir} verifies in its mode`, async () => {
      const r = await verify(dir);
      expect(r.verified, failures(r)).toBe(true);
      expect(r.lines.map((l) => l.id)).toEqual(
        expect.arrayContaining(['bundle', 'signature', 'manifest', 'files'])
      );
      if (dir.endsWith('-sigstore')) {
        expect(r.lines.map((l) => l.id)).toEqual(
          expect.arrayContaining(['chain', 'sct', 'tlog', 'timestamp', 'identity'])
        );
        expect(r.signer?.identities).toContain(IDENTITY);
      }
      expect(r.diff?.matched).toBeGreaterThan(0);
    });
  }
});

describeShared('model signing negative cases', () => {
  it('one changed byte in a signed file is a hash mismatch naming the file', async () => {
    const files = modelFiles('v1.1.0-sigstore').map((f) => {
      if (f.path !== 'signme-2') return f;
      return {
        ...f,
        source: memorySource(
          Uint8Array.from(readFileSync(join(MODELS, 'v1.1.0-sigstore/signme-2')), (b, i) =>
            i === 0 ? b ^ 1 : b
          ),
          f.path
        )
      };
    });
    const r = await verify('v1.1.0-sigstore', { files });
    expect(r.verified).toBe(false);
    expect(r.diff?.mismatched.map((m) => m.name)).toEqual(['signme-2']);
    expect(r.lines.find((l) => l.id === 'files')?.reason).toMatch(
      /Hash mismatch for 'signme-2': Expected 32dcb1f8/
    );
    expect(r.lines.find((l) => l.id === 'signature')?.ok).toBe(true);
  });

  it('a reused SHA-256 from the hashing stage is trusted as given (a wrong one fails)', async () => {
    const files = modelFiles('v1.1.0-elliptic-key').map((f) =>
      f.path === 'signme-1' ? { ...f, sha256: '00'.repeat(32) } : f
    );
    const r = await verify('v1.1.0-elliptic-key', { files });
    expect(r.diff?.mismatched.map((m) => m.name)).toEqual(['signme-1']);
    expect(r.diff?.hashedBytes).toBe(statSync(join(MODELS, 'v1.1.0-elliptic-key/signme-2')).size);
  });

  it('an extra file fails unless unsigned files are ignored', async () => {
    const files = [
      ...modelFiles('v1.0.0-sigstore'),
      { path: 'sub/extra.bin', source: memorySource(new Uint8Array([1]), 'extra.bin') }
    ];
    const r = await verify('v1.0.0-sigstore', { files });
    expect(r.verified).toBe(false);
    expect(r.diff?.extra).toEqual(['sub/extra.bin']);
    expect(r.lines.find((l) => l.id === 'files')?.reason).toContain(
      "Extra files found in model 'v1.0.0-sigstore': sub/extra.bin"
    );
    expect((await verify('v1.0.0-sigstore', { files, ignoreUnsignedFiles: true })).verified).toBe(true);
  });

  it('ignore-me is extra when the pre-v1.1 signature does not record it and it is not passed', async () => {
    const r = await verify('v1.0.1-certificate', { ignorePaths: [] });
    expect(r.diff?.extra).toEqual(['ignore-me']);
  });

  it('a missing file fails and is named', async () => {
    const files = modelFiles('v1.0.0-certificate').filter((f) => f.path !== 'signme-1');
    const r = await verify('v1.0.0-certificate', { files });
    expect(r.verified).toBe(false);
    expect(r.diff?.missing).toEqual(['signme-1']);
  });

  it('wrong identity, wrong issuer and a prefix of the identity do not match', async () => {
    for (const [identity, issuer] of [
      ['someone@example.com', ISSUER],
      [IDENTITY, 'https://accounts.google.com'],
      ['stefanb@us.ibm', ISSUER],
      [IDENTITY, 'https://sigstore.verify.ibm.com']
    ]) {
      const r = await verify('v1.0.0-sigstore', { policy: { mode: 'keyless', identity, issuer } });
      expect(r.verified, `${identity} ${issuer}`).toBe(false);
      expect(r.lines.find((l) => l.id === 'identity')?.ok).toBe(false);
      expect(r.lines.find((l) => l.id === 'signature')?.ok).toBe(true);
    }
  });

  it('regex matching is anchored and opt-in', async () => {
    const regex = (identity: string) =>
      verify('v1.0.0-sigstore', {
        policy: {
          mode: 'keyless',
          identity,
          issuer: 'https://sigstore\\.verify\\.ibm\\.com/.*',
          match: 'regex'
        }
      });
    expect((await regex('stefanb@us\\.ibm\\.com')).verified).toBe(true);
    expect((await regex('stefanb@us\\.ibm')).verified).toBe(false);
  });

  it('a wrong public key and an untrusted CA are rejected', async () => {
    const { generateKeyPairSync, X509Certificate: NodeCert } = await import('node:crypto');
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'pem',
      type: 'spki'
    }) as string;
    const key = await verify('v1.1.0-elliptic-key', { policy: { mode: 'key', publicKeyPem: other } });
    expect(key.verified).toBe(false);
    expect(key.lines.find((l) => l.id === 'signature')?.ok).toBe(false);
    // The intermediate alone is not a root the user supplied: the chain must end at one of theirs.
    const intermediate = text(join(KEYS, 'int-ca-cert.pem'));
    expect(new NodeCert(intermediate).ca).toBe(true);
    const cert = await verify('v1.1.0-certificate', { policy: { mode: 'certificate', caPem: intermediate } });
    expect(cert.verified).toBe(false);
    expect(cert.lines.find((l) => l.id === 'chain')?.ok).toBe(false);
  });

  it('keyless bundles are not accepted in key mode, nor key bundles in keyless mode', async () => {
    expect((await verify('v1.1.0-sigstore', { policy: { mode: 'key', publicKeyPem: PUB() } })).verified).toBe(
      false
    );
    expect(
      (
        await verify('v1.1.0-elliptic-key', {
          policy: { mode: 'keyless', identity: IDENTITY, issuer: ISSUER }
        })
      ).verified
    ).toBe(false);
  });

  it('a tampered manifest (resource digest changed, signature kept) fails the signature', async () => {
    const bundle = JSON.parse(text(join(MODELS, 'v1.1.0-elliptic-key/model.sig')));
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64')
      .toString()
      .replace('bc9a717d', 'bc9a717e');
    bundle.dsseEnvelope.payload = Buffer.from(payload).toString('base64');
    const r = await verify('v1.1.0-elliptic-key', { bundle });
    expect(r.verified).toBe(false);
    expect(r.lines.find((l) => l.id === 'signature')?.ok).toBe(false);
    expect(r.lines.find((l) => l.id === 'files')?.reason).toMatch(/not checked/);
  });
});
