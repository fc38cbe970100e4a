import { Buffer } from 'buffer';
import type { X509Certificate } from '@sigstore/core';
import { keyFingerprint } from './key-fingerprint';
import { keyKind, type KeyKind } from './key-info';

export interface SignerClaim {
  oid: string;
  label: string;
  value: string;
}

export interface SignerInfo {
  kind: 'certificate' | 'key';
  keyKind: KeyKind;
  /** SHA-256 of the signing key's SubjectPublicKeyInfo (hex), when the key is known. */
  keyFingerprint?: string;
  /** Every SAN usable as an identity: email, URI, Fulcio otherName. */
  identities: string[];
  issuer?: string;
  claims: SignerClaim[];
  notBefore?: string;
  notAfter?: string;
  /** Extension OIDs the certificate carries more than once (RFC 5280 §4.2 allows one of each). */
  repeatedExtensions?: string[];
}

const FULCIO = '1.3.6.1.4.1.57264.1.';
const CLAIM_LABELS: Record<string, string> = {
  '1': 'OIDC issuer',
  '2': 'GitHub workflow trigger',
  '3': 'GitHub workflow SHA',
  '4': 'GitHub workflow name',
  '5': 'GitHub workflow repository',
  '6': 'GitHub workflow ref',
  '8': 'OIDC issuer',
  '9': 'Build signer URI',
  '10': 'Build signer digest',
  '11': 'Runner environment',
  '12': 'Source repository URI',
  '13': 'Source repository digest',
  '14': 'Source repository ref',
  '15': 'Source repository identifier',
  '16': 'Source repository owner URI',
  '17': 'Source repository owner identifier',
  '18': 'Build config URI',
  '19': 'Build config digest',
  '20': 'Build trigger',
  '21': 'Run invocation URI',
  '22': 'Source repository visibility'
};
const OTHERNAME_USERNAME = '1.3.6.1.4.1.57264.1.7';
const MAX_CLAIM = 2048;

/** Fulcio's v2 claims are DER UTF8String; v1 ones are the raw string. */
function claimText(value: Uint8Array): string {
  const v = Buffer.from(value);
  if (v.length >= 2 && v[0] === 0x0c) {
    const len = v[1];
    if (len < 0x80 && len === v.length - 2) return v.subarray(2).toString('utf8');
    if (len === 0x81 && v.length > 3 && v[2] === v.length - 3) return v.subarray(3).toString('utf8');
    if (len === 0x82 && v.length > 4 && (v[2] << 8) + v[3] === v.length - 4)
      return v.subarray(4).toString('utf8');
  }
  return v.toString('utf8');
}

function clip(s: string): string {
  return s.length > MAX_CLAIM ? s.slice(0, MAX_CLAIM) + '…' : s;
}

export function certificateIdentities(cert: X509Certificate): string[] {
  const san = cert.extSubjectAltName;
  if (!san) return [];
  const found = [san.uri, san.rfc822Name, san.otherName(OTHERNAME_USERNAME)];
  return [...new Set(found.filter((s): s is string => typeof s === 'string' && s.length > 0))].map(clip);
}

/**
 * Extensions present more than once. A certificate "MUST NOT include more than one instance of a particular
 * extension" (RFC 5280 §4.2); tools disagree on which copy they read (an issuer claim, a SAN), which is what
 * a repeated one is for.
 */
export function repeatedExtensions(cert: X509Certificate): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const ext of cert.extensions) {
    let oid: string | undefined;
    try {
      oid = ext.subs[0]?.toOID();
    } catch {
      oid = undefined;
    }
    if (!oid) continue;
    if (seen.has(oid)) repeated.add(oid);
    seen.add(oid);
  }
  return [...repeated];
}

export function describeCertificate(cert: X509Certificate): SignerInfo {
  const claims: SignerClaim[] = [];
  const repeated = repeatedExtensions(cert);
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID();
    if (!oid?.startsWith(FULCIO)) continue;
    // The first copy of a claim is shown; a repeated one makes verification fail (see verify-bundle).
    if (claims.some((c) => c.oid === oid)) continue;
    const label = CLAIM_LABELS[oid.slice(FULCIO.length)];
    if (!label) continue;
    const raw = ext.subs[ext.subs.length - 1].value;
    claims.push({ oid, label, value: clip(claimText(raw)) });
  }
  const issuer =
    claims.find((c) => c.oid === `${FULCIO}8`)?.value ?? claims.find((c) => c.oid === `${FULCIO}1`)?.value;
  return {
    kind: 'certificate',
    keyKind: keyKind(cert.publicKey),
    keyFingerprint: keyFingerprint(cert.publicKey),
    identities: certificateIdentities(cert),
    issuer,
    claims,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    ...(repeated.length ? { repeatedExtensions: repeated } : {})
  };
}

const EKU = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** model_signing's certificate mode: the leaf must allow digitalSignature (KU) or codeSigning (EKU). */
export function allowsSigning(cert: X509Certificate): boolean {
  if (cert.extKeyUsage?.digitalSignature) return true;
  const eku = cert.extension(EKU);
  if (!eku) return false;
  try {
    return eku.valueObj.subs.some((s) => s.toOID() === CODE_SIGNING);
  } catch {
    return false;
  }
}
