import { join } from 'node:path';
import { expect, it } from 'vitest';
import { verifyArtifactBundle } from '../../src/lib/core/signing/verify-artifact';
import { parseTrustRootText } from '../../src/lib/core/signing/trust-root';
import type { SignerPolicy } from '../../src/lib/core/signing/verify-bundle';
import {
  CONFORMANCE,
  conformanceCases,
  DEFAULT_IDENTITY,
  DEFAULT_ISSUER,
  fileSource,
  optional,
  SIGSTORE,
  text
} from './signing-fixtures';
import { describeShared } from '../shared-fixtures';

function conformancePolicy(dir: string): SignerPolicy {
  const root = optional(join(dir, 'trusted_root.json'));
  const trustRoot = root ? parseTrustRootText(root, 'case trusted_root.json') : undefined;
  const key = optional(join(dir, 'key.pub'));
  if (key) return { mode: 'key', publicKeyPem: key, trustRoot };
  return {
    mode: 'keyless',
    identity: optional(join(dir, 'identity')) ?? DEFAULT_IDENTITY,
    issuer: optional(join(dir, 'issuer')) ?? DEFAULT_ISSUER,
    trustRoot
  };
}

describeShared('sigstore-conformance bundle-verify', () => {
  const cases = conformanceCases();
  it('has the 70 cases', () => expect(cases).toHaveLength(70));
  for (const name of cases) {
    // Every case behaves as its name says (no exceptions; see tests/signing-exceptions.md).
    const shouldPass = !name.endsWith('_fail');
    it(`${name} → ${shouldPass ? 'verified' : 'rejected'}`, async () => {
      const dir = join(CONFORMANCE, name);
      const artifactPath =
        optional(join(dir, 'artifact')) !== undefined ? join(dir, 'artifact') : join(CONFORMANCE, 'a.txt');
      let policy: SignerPolicy | undefined;
      try {
        policy = conformancePolicy(dir);
      } catch (err) {
        // A case whose trusted root itself is invalid must be rejected at load time.
        expect(shouldPass, (err as Error).message).toBe(false);
        return;
      }
      if (name === 'managed-key-no-key_fail') {
        policy = { mode: 'keyless', identity: DEFAULT_IDENTITY, issuer: DEFAULT_ISSUER };
      }
      const result = await verifyArtifactBundle({
        bundle: text(join(dir, 'bundle.sigstore.json')),
        policy,
        artifact: fileSource(artifactPath, 'artifact')
      });
      const failed = result.lines.filter((l) => !l.ok).map((l) => `${l.id}: ${l.reason}`);
      expect(result.verified, failed.join('\n') || 'all checks passed').toBe(shouldPass);
      if (!shouldPass) expect(failed.length).toBeGreaterThan(0);
    });
  }
});

describeShared('sigstore-js production bundles', () => {
  const dir = join(SIGSTORE, 'sigstore-js/tests-bundles');
  for (const name of [
    'bundleV01-dsse-no-proof',
    'bundleV01-dsse-with-proof',
    'bundleV01-full-cert-chain',
    'bundleV01-intoto-no-proof',
    'bundleV01-intoto-with-proof',
    'bundleV02-dsse',
    'bundleV02-intoto',
    'bundleV03-dsse',
    'bundleV03-intoto'
  ]) {
    it(`${name} verifies for brian@dehamer.com via GitHub`, async () => {
      const bundle = text(join(dir, `${name}.sigstore`));
      const ok = await verifyArtifactBundle({
        bundle,
        policy: { mode: 'keyless', identity: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' }
      });
      expect(ok.verified, JSON.stringify(ok.lines.filter((l) => !l.ok))).toBe(true);
      expect(ok.statement?.subjects[0].name).toBe('pkg:npm/sigstore@1.0.0');
      const wrong = await verifyArtifactBundle({
        bundle,
        policy: { mode: 'keyless', identity: 'brian@dehamer.co', issuer: 'https://github.com/login/oauth' }
      });
      expect(wrong.verified).toBe(false);
      expect(wrong.lines.find((l) => l.id === 'identity')?.ok).toBe(false);
    });
  }
});
