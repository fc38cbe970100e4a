import { p256 } from '@noble/curves/nist.js';

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

/**
 * WebCrypto's ECDSA P-256 signature (r ‖ s, 64 bytes) as the DER SEQUENCE Sigstore, Node and OpenSSL
 * verify, with s normalised to the lower half of the order as many verifiers require.
 */
export function p256DerSignature(p1363: Uint8Array): Uint8Array {
  if (p1363.length !== 64) throw new Error(`an ECDSA P-256 signature has 64 bytes, not ${p1363.length}`);
  const signature = p256.Signature.fromBytes(p1363, 'compact');
  if (!signature.hasHighS()) return signature.toBytes('der');
  return new p256.Signature(signature.r, p256.Point.CURVE().n - signature.s).toBytes('der');
}
