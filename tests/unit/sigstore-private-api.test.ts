// @sigstore/verify's certificate-chain check is not public API (src/lib/core/signing/verify-bundle.ts imports it
// from dist/). This test pins the contract: an upgrade that moves, renames or changes it fails here first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from '@sigstore/core';
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate';
import { describe, expect, it } from 'vitest';
import { PUBLIC_GOOD_TRUSTED_ROOT } from '../../src/lib/generated/public-good-trust';

const root = join(import.meta.dirname, '../..');
const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

interface Authority {
  certChain: { certificates: { rawBytes: string }[] };
}
const authorities = (PUBLIC_GOOD_TRUSTED_ROOT as { certificateAuthorities: Authority[] })
  .certificateAuthorities;
const cert = (ca: number, i: number) =>
  X509Certificate.parse(Buffer.from(authorities[ca].certChain.certificates[i].rawBytes, 'base64'));
const ALL_TIME = { start: new Date(0), end: new Date(8.64e15) };

describe('@sigstore/verify private API', () => {
  it('is pinned to the exact version installed', () => {
    const pinned = json('package.json').dependencies['@sigstore/verify'];
    expect(pinned, 'a range would let an upgrade move the private module').toMatch(/^\d+\.\d+\.\d+$/);
    expect(json('node_modules/@sigstore/verify/package.json').version).toBe(pinned);
  });

  it('verifyCertificateChain returns the path to a trusted root, and throws for another root', () => {
    // Fulcio's intermediate and the root that issued it, from the public-good trusted root.
    const [intermediate, issuer, otherRoot] = [cert(1, 0), cert(1, 1), cert(0, 0)];
    const path = verifyCertificateChain(intermediate.notBefore, intermediate, [
      { certChain: [issuer], validFor: ALL_TIME }
    ]);
    expect(path.map((c) => c.subject)).toEqual([intermediate.subject, issuer.subject]);
    expect(path[path.length - 1].equals(issuer)).toBe(true);
    expect(() =>
      verifyCertificateChain(intermediate.notBefore, intermediate, [
        { certChain: [otherRoot], validFor: ALL_TIME }
      ])
    ).toThrow();
  });
});
