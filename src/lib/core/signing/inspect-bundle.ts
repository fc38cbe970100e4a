import { Buffer } from 'buffer';
import { X509Certificate } from '@sigstore/core';
import { loadBundle } from './bundle-load';
import { describeCertificate, type SignerInfo } from './certificate-info';
import { errorMessage } from './checklist';

/**
 * What a bundle says about itself before anything is verified: who claims to have signed it, how, and what.
 * Shown so the analyst sees the signer before saying whom they expect; none of it is trusted.
 */
export interface BundleClaims {
  mediaType: string;
  content: 'dsse' | 'message';
  /** The certificate's identity, issuer, claims and key fingerprint, or the key hint of a key-signed bundle. */
  signer: SignerInfo | null;
  /** For a key-signed bundle: the hint naming the key (model_signing writes a digest of the key). */
  keyHint: string | null;
  /** Transparency-log entries and RFC 3161 timestamps the bundle carries. */
  tlogEntries: number;
  timestamps: number;
  payloadType: string | null;
  predicateType: string | null;
  subjects: number;
}

const MAX_HINT = 200;

function statementFacts(payload: Uint8Array): { predicateType: string | null; subjects: number } {
  try {
    const statement = JSON.parse(Buffer.from(payload).toString('utf8')) as {
      predicateType?: unknown;
      subject?: unknown;
    };
    return {
      predicateType:
        typeof statement.predicateType === 'string' ? statement.predicateType.slice(0, 500) : null,
      subjects: Array.isArray(statement.subject) ? statement.subject.length : 0
    };
  } catch {
    return { predicateType: null, subjects: 0 };
  }
}

/** Reads a bundle's claims without verifying anything; throws with a clear message when it is no bundle. */
export function inspectBundle(json: unknown): BundleClaims {
  let loaded;
  try {
    loaded = loadBundle(json, { allowChainInV03: true });
  } catch (err) {
    throw new Error(`not a Sigstore bundle: ${errorMessage(err)}`, { cause: err });
  }
  const { bundle } = loaded;
  const material = bundle.verificationMaterial.content;
  let signer: SignerInfo | null = null;
  let keyHint: string | null = null;
  if (material.$case === 'publicKey') keyHint = material.publicKey.hint.slice(0, MAX_HINT) || null;
  else {
    const der =
      material.$case === 'certificate'
        ? material.certificate.rawBytes
        : material.x509CertificateChain.certificates[0]?.rawBytes;
    if (der) {
      try {
        signer = describeCertificate(X509Certificate.parse(Buffer.from(der)));
      } catch (err) {
        throw new Error(`the bundle's certificate cannot be read: ${errorMessage(err)}`, { cause: err });
      }
    }
  }
  const content = bundle.content;
  const dsse = content.$case === 'dsseEnvelope' ? content.dsseEnvelope : null;
  return {
    mediaType: loaded.mediaType,
    content: dsse ? 'dsse' : 'message',
    signer,
    keyHint,
    tlogEntries: bundle.verificationMaterial.tlogEntries.length,
    timestamps: bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length ?? 0,
    payloadType: dsse ? dsse.payloadType.slice(0, 200) : null,
    ...(dsse ? statementFacts(dsse.payload) : { predicateType: null, subjects: 0 })
  };
}
