import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { publicGoodTrustRoot, trustRootFromJSON } from '../../src/lib/core/signing/trust-root';
import { verifySignedBundle } from '../../src/lib/core/signing/verify-bundle';
import { createPublicKey } from '../../src/lib/shims/crypto';
import { describeShared, sharedPath } from '../shared-fixtures';

/** DER TLV with a definite length. */
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const len = body.length;
  const head =
    len < 0x80
      ? [tag, len]
      : len < 0x100
        ? [tag, 0x81, len]
        : len < 0x10000
          ? [tag, 0x82, len >> 8, len & 0xff]
          : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An odd integer of exactly `bits` bits (not a real modulus: parsing is all that is being checked). */
function oddInteger(bits: number): Uint8Array {
  const bytes = new Uint8Array(bits / 8).fill(0xa5);
  bytes[0] |= 0x80;
  bytes[bytes.length - 1] |= 1;
  return tlv(0x02, cat(new Uint8Array([0]), bytes));
}

/** A PEM SubjectPublicKeyInfo of an RSA key with the given modulus and exponent sizes. */
function rsaSpkiPem(
  modulusBits: number,
  exponent: Uint8Array = tlv(0x02, new Uint8Array([1, 0, 1]))
): string {
  const pkcs1 = tlv(0x30, cat(oddInteger(modulusBits), exponent));
  const algorithm = Uint8Array.from(Buffer.from('300d06092a864886f70d0101010500', 'hex'));
  const spki = tlv(0x30, cat(algorithm, tlv(0x03, cat(new Uint8Array([0]), pkcs1))));
  const b64 = Buffer.from(spki).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}

describe('RSA keys in the browser verifier are bounded as Sigstore bounds them', () => {
  it('refuses moduli outside 2048–4096 bits and oversized exponents before any arithmetic', () => {
    expect(() => createPublicKey(rsaSpkiPem(32_768))).toThrow(/32768 bits/);
    expect(() => createPublicKey(rsaSpkiPem(8192))).toThrow(/2048 to 4096/);
    expect(() => createPublicKey(rsaSpkiPem(1024))).toThrow(/2048 to 4096/);
    expect(() => createPublicKey(rsaSpkiPem(2048, oddInteger(2048)))).toThrow(/exponent/);
    expect(createPublicKey(rsaSpkiPem(4096)).asymmetricKeyDetails).toMatchObject({ modulusLength: 4096 });
  });

  it('keeps accepting real 2048-bit keys', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(createPublicKey(pem).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
  });
});

describeShared('keyless verification stops at the first failed link', () => {
  it('does not check the signature with a leaf that does not chain to a trusted CA', () => {
    const bundle = JSON.parse(
      readFileSync(
        sharedPath('fixtures/sigstore/model-transparency/scripts-tests/v1.0.0-sigstore/model.sig'),
        'utf8'
      )
    );
    const policy = {
      mode: 'keyless' as const,
      identity: 'stefanb@us.ibm.com',
      issuer: 'https://sigstore.verify.ibm.com/oauth2'
    };
    const trusted = verifySignedBundle(bundle, policy, { modelSigning: true });
    expect(trusted.lines.find((l) => l.id === 'signature')?.ok).toBe(true);

    const json = TrustedRoot.toJSON(publicGoodTrustRoot().root) as Record<string, unknown>;
    const noCa = trustRootFromJSON({ ...json, certificateAuthorities: [] }, 'no CA');
    const untrusted = verifySignedBundle(bundle, { ...policy, trustRoot: noCa }, { modelSigning: true });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.lines.find((l) => l.id === 'chain')?.ok).toBe(false);
    const signature = untrusted.lines.find((l) => l.id === 'signature');
    expect(signature).toMatchObject({ ok: false, reason: expect.stringMatching(/^not checked/) });
  });
});
