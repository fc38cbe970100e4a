import { HASHES, type HashName } from './hashes';

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Modulus length in bytes. */
  k: number;
}

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1), with the NULL parameters OpenSSL writes and expects.
const DIGEST_INFO: Partial<Record<HashName, string>> = {
  sha1: '3021300906052b0e03021a05000414',
  sha224: '302d300d06096086480165030402040500041c',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440'
};

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2), by re-encoding the expected block and comparing. */
export function rsaPkcs1Verify(
  key: RsaPublicKey,
  hash: HashName,
  data: Uint8Array,
  signature: Uint8Array
): boolean {
  const prefix = DIGEST_INFO[hash];
  if (!prefix) throw new Error(`RSA PKCS#1 v1.5 with ${hash} is not supported`);
  if (signature.length !== key.k) return false;
  let s = 0n;
  for (const b of signature) s = (s << 8n) | BigInt(b);
  if (s >= key.n) return false;
  let m = modPow(s, key.e, key.n);
  const em = new Uint8Array(key.k);
  for (let i = key.k - 1; i >= 0; i--) {
    em[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  const t = new Uint8Array([...hexBytes(prefix), ...HASHES[hash](data)]);
  if (key.k < t.length + 11) return false;
  const expected = new Uint8Array(key.k).fill(0xff);
  expected[0] = 0x00;
  expected[1] = 0x01;
  expected[key.k - t.length - 1] = 0x00;
  expected.set(t, key.k - t.length);
  let diff = 0;
  for (let i = 0; i < key.k; i++) diff |= em[i] ^ expected[i];
  return diff === 0;
}
