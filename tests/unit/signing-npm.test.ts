import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { verifyArtifactBundle } from '../../src/lib/core/signing/verify-artifact';
import { describeShared } from '../shared-fixtures';
import { fileSource, SIGSTORE, text } from './signing-fixtures';

// Each npm attestation bundle against the real tarball; expected results come from MANIFEST.tsv (last column:
// what @sigstore/verify gives the bundle alone; pacote's set-level rules are not in scope here).
const readRows = () =>
  readFileSync(join(SIGSTORE, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => /^npm-pacote\/.*\.bundle\.json$/.test(c[0]));

const npmKey = () =>
  (
    JSON.parse(text(join(SIGSTORE, 'sigstore-tuf/registry.npmjs.org_keys.json'))) as {
      keys: { keyUsage: string; publicKey: { rawBytes: string } }[];
    }
  ).keys.find((k) => k.keyUsage === 'npm:attestations')!.publicKey.rawBytes;
const npmKeyPem = () => `-----BEGIN PUBLIC KEY-----\n${npmKey()}\n-----END PUBLIC KEY-----\n`;
const PROVENANCE_IDENTITY =
  'https://github.com/sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v0.4.0';

describeShared('npm attestations against sigstore-0.4.0.tgz', () => {
  const rows = readRows();
  it('has the 16 bundles', () => expect(rows).toHaveLength(16));
  for (const [file, , , , , , , , expected] of rows) {
    it(`${file} → ${expected}`, async () => {
      const provenance = file.includes('.provenance.');
      const result = await verifyArtifactBundle({
        bundle: text(join(SIGSTORE, file)),
        policy: provenance
          ? {
              mode: 'keyless',
              identity: PROVENANCE_IDENTITY,
              issuer: 'https://token.actions.githubusercontent.com'
            }
          : { mode: 'key', publicKeyPem: npmKeyPem() },
        artifact: fileSource(join(SIGSTORE, 'npm-pacote/artifact/sigstore-0.4.0.tgz'), 'sigstore-0.4.0.tgz')
      });
      const failed = result.lines.filter((l) => !l.ok).map((l) => `${l.id}: ${l.reason}`);
      expect(result.verified, failed.join('\n')).toBe(expected.trim() === 'pass');
      if (result.verified) expect(result.lines.find((l) => l.id === 'subject')?.ok).toBe(true);
    });
  }
});
