export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DSSE's pre-authentication encoding: what a DSSE signature is computed over. */
export function dssePae(payloadType: string, payload: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const type = enc.encode(payloadType);
  const head = enc.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** The order of the P-256 group (FIPS 186-4 D.1.2.3). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

/** A positive INTEGER's DER contents: minimal big-endian bytes, with a 0 byte when the top bit is set. */
function derInteger(value: bigint): number[] {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

/**
 * WebCrypto's ECDSA P-256 signature (r ‖ s, 64 bytes) as the DER SEQUENCE Sigstore, Node and OpenSSL
 * verify, with s normalised to the lower half of the order as many verifiers require.
 */
export function p256DerSignature(p1363: Uint8Array): Uint8Array {
  if (p1363.length !== 64) throw new Error(`an ECDSA P-256 signature has 64 bytes, not ${p1363.length}`);
  const r = toBigInt(p1363.subarray(0, 32));
  const s = toBigInt(p1363.subarray(32));
  if (r === 0n || s === 0n || r >= P256_N || s >= P256_N)
    throw new Error('not a valid ECDSA P-256 signature');
  const body = [...derInteger(r), ...derInteger(s > P256_N / 2n ? P256_N - s : s)];
  return new Uint8Array([0x30, body.length, ...body]);
}
