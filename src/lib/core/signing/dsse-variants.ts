import { Buffer } from 'buffer';
import { crypto, dsse } from '@sigstore/core';
import type { Envelope } from '@sigstore/bundle';
import type { SignatureContent } from './sigstore-types';

export interface DsseVariant {
  label: string;
  data: Buffer;
  hash: 'sha256' | 'sha384' | 'sha512';
}

/** Python's repr() of a bytes object, as model_signing v0.2.0 embedded it in its PAE. */
export function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += '\\' + quote;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + quote;
}

/** The non-standard PAE written by model_signing v0.2.0 key and certificate signers. */
export function compatPreAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.from(
    `DSSEV1 ${type.length} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`,
    'utf8'
  );
}

export function standardVariant(env: Envelope, hash: DsseVariant['hash']): DsseVariant {
  return {
    label: `DSSE PAE, ${hash.toUpperCase().replace('SHA', 'SHA-')}`,
    data: dsse.preAuthEncoding(env.payloadType, env.payload),
    hash
  };
}

/**
 * A DSSE signature content whose signature check tries the given variants in order (first match wins) and
 * remembers which one matched; everything else (digests compared with log entries) is the library's.
 */
export function withVariants(base: SignatureContent, env: Envelope, variants: DsseVariant[]) {
  let matched: DsseVariant | undefined;
  const content: SignatureContent = {
    signature: base.signature,
    compareSignature: (s) => base.compareSignature(s),
    compareDigest: (d) => base.compareDigest(d),
    compareSignedDigest: (d) => base.compareSignedDigest(d),
    verifySignature(key) {
      if (env.signatures.length !== 1) return false;
      matched = variants.find((v) => crypto.verify(v.data, key, base.signature, v.hash));
      return matched !== undefined;
    }
  };
  return { content, matched: () => matched };
}
