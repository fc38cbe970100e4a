import { Buffer } from 'buffer';
import { ASN1Obj } from '@sigstore/core';

export type KeyKind = 'P-256' | 'P-384' | 'P-521' | 'Ed25519' | 'RSA' | 'unknown';

const CURVES: Record<string, KeyKind> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521'
};
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';
const RSA = '1.2.840.113549.1.1.1';

/** The key type of a DER SubjectPublicKeyInfo. */
export function keyKind(spki: Uint8Array): KeyKind {
  try {
    const algorithm = ASN1Obj.parseBuffer(Buffer.from(spki)).subs[0];
    const oid = algorithm.subs[0].toOID();
    if (oid === EC_PUBLIC_KEY) return CURVES[algorithm.subs[1]?.toOID()] ?? 'unknown';
    if (oid === ED25519) return 'Ed25519';
    if (oid === RSA) return 'RSA';
  } catch {
    // not parseable: unknown
  }
  return 'unknown';
}

/** OpenSSF model signing hashes with the curve's own hash (P-384 → SHA-384); Sigstore DSSE uses SHA-256. */
export function curveHash(kind: KeyKind): 'sha256' | 'sha384' | 'sha512' | undefined {
  if (kind === 'P-256') return 'sha256';
  if (kind === 'P-384') return 'sha384';
  if (kind === 'P-521') return 'sha512';
  return undefined;
}
