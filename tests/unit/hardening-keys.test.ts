import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { describeCertificate } from '../../src/lib/core/signing/certificate-info';
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

function oid(text: string): Uint8Array {
  const [a, b, ...rest] = text.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));

function extension(id: string, value: Uint8Array): Uint8Array {
  return tlv(0x30, cat(oid(id), tlv(0x04, value)));
}

/** A (never validly signed) certificate carrying the given extensions: enough for parsing and reading. */
function certificateWith(extensions: Uint8Array[]): X509Certificate {
  const name = tlv(0x30, tlv(0x31, tlv(0x30, cat(oid('2.5.4.3'), utf8('x')))));
  const time = (s: string) => tlv(0x17, new TextEncoder().encode(s));
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const sigAlg = tlv(0x30, oid('1.2.840.10045.4.3.2'));
  const tbs = tlv(
    0x30,
    cat(
      tlv(0xa0, tlv(0x02, new Uint8Array([2]))),
      tlv(0x02, new Uint8Array([1])),
      sigAlg,
      name,
      tlv(0x30, cat(time('250101000000Z'), time('350101000000Z'))),
      name,
      spki,
      tlv(0xa3, tlv(0x30, cat(...extensions)))
    )
  );
  const der = tlv(0x30, cat(tbs, sigAlg, tlv(0x03, new Uint8Array([0, 0x30, 0x00]))));
  return X509Certificate.parse(Buffer.from(der));
}

describe('repeated certificate extensions', () => {
  it('are listed, and the first copy of a claim is the one shown', () => {
    const issuer = '1.3.6.1.4.1.57264.1.8';
    const cert = certificateWith([
      extension(issuer, utf8('https://token.actions.githubusercontent.com')),
      extension(issuer, utf8('https://evil.example')),
      extension('2.5.29.15', tlv(0x03, new Uint8Array([7, 0x80])))
    ]);
    const info = describeCertificate(cert);
    expect(info.repeatedExtensions).toEqual([issuer]);
    expect(info.claims.filter((c) => c.oid === issuer)).toHaveLength(1);
    expect(info.issuer).toBe('https://token.actions.githubusercontent.com');
    const single = describeCertificate(certificateWith([extension(issuer, utf8('https://a.example'))]));
    expect(single.repeatedExtensions).toBeUndefined();
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
