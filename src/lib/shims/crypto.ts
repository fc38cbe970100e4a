// Browser stand-in for the part of Node's `crypto` that @sigstore/core uses: createPublicKey, createHash,
// verify (ECDSA P-256/384/521 with DER signatures, Ed25519, RSA PKCS#1 v1.5) and timingSafeEqual.
// Synchronous like Node's, on @noble primitives. Tested differentially against Node in tests/unit/shim-*.
import { Buffer } from 'buffer';
import './install-buffer';
import { HASHES, hashName } from './hashes';
import { CURVES, ed25519, KeyObject, keyFromPkcs1, keyFromSpki, spkiFromCertificate } from './key-object';
import { rsaPkcs1Verify } from './rsa';

export { KeyObject };

type Bytes = Uint8Array | ArrayBuffer | DataView;
type KeyInput = string | Bytes | KeyObject | { key: string | Bytes; format?: string; type?: string };

function toBytes(data: Bytes | string, encoding?: string): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, (encoding ?? 'utf8') as BufferEncoding);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

function fromPem(text: string): KeyObject {
  const m = PEM.exec(text);
  if (!m) throw new Error('error:1E08010C:DECODER routines::unsupported');
  const der = Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
  if (m[1] === 'PUBLIC KEY') return keyFromSpki(der);
  if (m[1] === 'RSA PUBLIC KEY') return keyFromPkcs1(der);
  if (m[1] === 'CERTIFICATE') return keyFromSpki(spkiFromCertificate(der));
  throw new Error(`Unsupported PEM type ${m[1]}`);
}

export function createPublicKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject) return input;
  if (typeof input === 'string') return fromPem(input);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer || input instanceof DataView) {
    return fromPem(Buffer.from(toBytes(input)).toString('utf8'));
  }
  const { key, format = 'pem', type = 'spki' } = input;
  if (format === 'pem')
    return fromPem(typeof key === 'string' ? key : Buffer.from(toBytes(key)).toString('utf8'));
  if (format !== 'der') throw new Error(`Unsupported key format ${format}`);
  const der = toBytes(key);
  if (type === 'spki') return keyFromSpki(der);
  if (type === 'pkcs1') return keyFromPkcs1(der);
  throw new Error(`Unsupported key type ${type}`);
}

class Hash {
  private readonly state;
  private done = false;
  constructor(readonly algorithm: string) {
    this.state = HASHES[hashName(algorithm)].create();
  }
  update(data: Bytes | string, encoding?: string): this {
    if (this.done) throw new Error('Digest already called');
    this.state.update(toBytes(data, encoding));
    return this;
  }
  digest(): Buffer;
  digest(encoding: BufferEncoding): string;
  digest(encoding?: BufferEncoding): Buffer | string {
    if (this.done) throw new Error('Digest already called');
    this.done = true;
    const out = Buffer.from(this.state.digest());
    return encoding ? out.toString(encoding) : out;
  }
}

export function createHash(algorithm: string): Hash {
  return new Hash(algorithm);
}

export function verify(
  algorithm: string | null | undefined,
  data: Bytes,
  key: KeyInput,
  signature: Bytes
): boolean {
  const k = createPublicKey(key);
  const message = toBytes(data);
  const sig = toBytes(signature);
  if (k.data.type === 'ed25519') {
    if (algorithm) throw new Error(`Invalid digest ${algorithm} for Ed25519`);
    if (sig.length !== 64) return false;
    try {
      return ed25519.verify(sig, message, k.data.publicKey, { zip215: false });
    } catch {
      return false;
    }
  }
  // With no algorithm OpenSSL (hence Node) uses SHA-256 for EC and RSA keys.
  const hash = hashName(algorithm ?? 'sha256');
  if (k.data.type === 'rsa') return rsaPkcs1Verify(k.data.rsa, hash, message, sig);
  const digest = HASHES[hash](message);
  try {
    return CURVES[k.data.curve].verify(sig, digest, k.data.point, {
      prehash: false,
      lowS: false,
      format: 'der'
    });
  } catch {
    return false;
  }
}

export function timingSafeEqual(a: Bytes, b: Bytes): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) throw new RangeError('Input buffers must have the same byte length');
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

export default { createPublicKey, createHash, verify, timingSafeEqual, KeyObject };
