import { Buffer } from 'buffer';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { children, expectTag, oidToString, readOnly, TAG, toBigInt } from './der';
import type { RsaPublicKey } from './rsa';

export type NamedCurve = 'prime256v1' | 'secp384r1' | 'secp521r1';

export const CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521 } as const;
const CURVE_OIDS: Record<string, NamedCurve> = {
  '1.2.840.10045.3.1.7': 'prime256v1',
  '1.3.132.0.34': 'secp384r1',
  '1.3.132.0.35': 'secp521r1'
};
const OID_EC = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';
const OID_RSA = '1.2.840.113549.1.1.1';

type KeyData =
  | { type: 'ec'; curve: NamedCurve; point: Uint8Array }
  | { type: 'ed25519'; publicKey: Uint8Array }
  | { type: 'rsa'; rsa: RsaPublicKey };

/** The public-key subset of Node's KeyObject that @sigstore/core relies on. */
export class KeyObject {
  readonly type = 'public';
  constructor(
    readonly data: KeyData,
    private readonly spki: Uint8Array
  ) {}

  get asymmetricKeyType(): 'ec' | 'ed25519' | 'rsa' {
    return this.data.type;
  }

  get asymmetricKeyDetails(): Record<string, unknown> {
    if (this.data.type === 'ec') return { namedCurve: this.data.curve };
    if (this.data.type === 'rsa')
      return { modulusLength: this.data.rsa.k * 8, publicExponent: this.data.rsa.e };
    return {};
  }

  export(options: { format?: string; type?: string } = {}): Buffer | string {
    if (options.type && options.type !== 'spki')
      throw new Error(`export type ${options.type} is not supported`);
    if (options.format === 'der') return Buffer.from(this.spki);
    const b64 = Buffer.from(this.spki).toString('base64').replace(/.{64}/g, '$&\n');
    return `-----BEGIN PUBLIC KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PUBLIC KEY-----\n`;
  }
}

/**
 * RSA sizes Sigstore defines (PublicKeyDetails: PKIX_RSA_*_2048/3072/4096): BigInt arithmetic on anything
 * larger is what a hostile certificate would use to stall verification, so it is refused before any math.
 * The exponent is bounded as OpenSSL bounds it for large moduli (at most 64 bits; 65537 in practice).
 */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;
const RSA_MAX_EXPONENT_BITS = 64;

function rsaFromPkcs1(der: Uint8Array): RsaPublicKey {
  const [n, e, ...rest] = children(readOnly(der, TAG.SEQUENCE, 'RSAPublicKey').value);
  if (rest.length) throw new Error('DER: trailing fields in RSAPublicKey');
  const nBytes = expectTag(n, TAG.INTEGER, 'modulus').value;
  const eBytes = expectTag(e, TAG.INTEGER, 'exponent').value;
  // Sizes from the encoding itself, before any BigInt is built.
  if (bitLength(nBytes) < RSA_MIN_BITS || bitLength(nBytes) > RSA_MAX_BITS)
    throw new Error(
      `RSA key of ${bitLength(nBytes)} bits: only ${RSA_MIN_BITS} to ${RSA_MAX_BITS}-bit keys are accepted (as Sigstore)`
    );
  if (bitLength(eBytes) > RSA_MAX_EXPONENT_BITS)
    throw new Error(`RSA public exponent of ${bitLength(eBytes)} bits is not accepted`);
  const modulus = toBigInt(nBytes);
  const exponent = toBigInt(eBytes);
  if (modulus < 3n || exponent < 3n || !(exponent & 1n)) throw new Error('invalid RSA public key');
  return { n: modulus, e: exponent, k: Math.ceil(modulus.toString(16).length / 2) };
}

/** Bits of a DER INTEGER's magnitude (leading zero bytes ignored). */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

function bitStringBytes(value: Uint8Array): Uint8Array {
  if (value.length === 0 || value[0] !== 0) throw new Error('DER: BIT STRING with unused bits');
  return value.subarray(1);
}

export function keyFromSpki(der: Uint8Array): KeyObject {
  const [alg, bits, ...rest] = children(readOnly(der, TAG.SEQUENCE, 'SubjectPublicKeyInfo').value);
  if (rest.length) throw new Error('DER: trailing fields in SubjectPublicKeyInfo');
  const [oid, params] = children(expectTag(alg, TAG.SEQUENCE, 'AlgorithmIdentifier').value);
  const algorithm = oidToString(expectTag(oid, TAG.OID, 'algorithm OID').value);
  const key = bitStringBytes(expectTag(bits, TAG.BIT_STRING, 'subjectPublicKey').value);
  const spki = Uint8Array.from(der);
  if (algorithm === OID_EC) {
    const curve = CURVE_OIDS[oidToString(expectTag(params, TAG.OID, 'named curve').value)];
    if (!curve) throw new Error('Unsupported EC curve');
    CURVES[curve].Point.fromBytes(key).assertValidity();
    return new KeyObject({ type: 'ec', curve, point: Uint8Array.from(key) }, spki);
  }
  if (algorithm === OID_ED25519) {
    if (params || key.length !== 32) throw new Error('invalid Ed25519 public key');
    return new KeyObject({ type: 'ed25519', publicKey: Uint8Array.from(key) }, spki);
  }
  if (algorithm === OID_RSA) return new KeyObject({ type: 'rsa', rsa: rsaFromPkcs1(key) }, spki);
  throw new Error(`Unsupported key algorithm ${algorithm}`);
}

export function keyFromPkcs1(der: Uint8Array): KeyObject {
  const rsa = rsaFromPkcs1(der);
  // Keep an SPKI form for export(): rsaEncryption AlgorithmIdentifier + BIT STRING of the PKCS#1 key.
  const bits = Buffer.concat([Buffer.from([0]), Buffer.from(der)]);
  const algId = Buffer.from('300d06092a864886f70d0101010500', 'hex');
  const spki = wrap(0x30, Buffer.concat([algId, wrap(0x03, bits)]));
  return new KeyObject({ type: 'rsa', rsa }, spki);
}

function wrap(tag: number, body: Uint8Array): Buffer {
  const len = body.length;
  const header =
    len < 0x80
      ? [tag, len]
      : len < 0x100
        ? [tag, 0x81, len]
        : len < 0x10000
          ? [tag, 0x82, len >> 8, len & 0xff]
          : null;
  if (!header) throw new Error('DER: too long');
  return Buffer.concat([Buffer.from(header), Buffer.from(body)]);
}

/** The SubjectPublicKeyInfo inside an X.509 certificate (Node accepts certificates in createPublicKey). */
export function spkiFromCertificate(der: Uint8Array): Uint8Array {
  const [tbs] = children(readOnly(der, TAG.SEQUENCE, 'Certificate').value);
  const fields = children(expectTag(tbs, TAG.SEQUENCE, 'TBSCertificate').value);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  return expectTag(fields[offset + 5], TAG.SEQUENCE, 'SubjectPublicKeyInfo').raw;
}

export { ed25519 };
