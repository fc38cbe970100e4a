import { fromBase64, toBase64 } from '../bytes/base64';
import { IN_TOTO_PAYLOAD_TYPE } from '../signing/dsse-sign';
import { canonicalJson } from './canonical-json';
import { inTotoStatement } from './in-toto';
import type { Manifest } from './manifest';
import { ManifestError } from './errors';

export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** A signed manifest's statement: bounded before it is decoded (manifests of 200,000 files fit). */
export const MAX_SIGNED_PAYLOAD_BYTES = 96 * 1024 * 1024;

/**
 * A manifest signed with a key: a Sigstore bundle (v0.3, key material, no transparency log) whose DSSE
 * envelope holds the manifest's in-toto Statement — the shape model_signing writes for key signatures, so
 * `safeload verify --key` and other Sigstore verifiers read it.
 */
export interface SignedManifestBundle {
  mediaType: typeof BUNDLE_V03;
  verificationMaterial: { publicKey: { hint: string }; tlogEntries: [] };
  dsseEnvelope: {
    payload: string;
    payloadType: typeof IN_TOTO_PAYLOAD_TYPE;
    signatures: { sig: string; keyid: string }[];
  };
}

/** The exact bytes a manifest signature covers (inside DSSE's PAE): its in-toto Statement in JCS form. */
export function manifestPayload(m: Manifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(inTotoStatement(m)));
}

export function signedManifestBundle(
  m: Manifest,
  signatureDer: Uint8Array,
  keyFingerprint: string
): SignedManifestBundle {
  return {
    mediaType: BUNDLE_V03,
    verificationMaterial: { publicKey: { hint: keyFingerprint }, tlogEntries: [] },
    dsseEnvelope: {
      payload: toBase64(manifestPayload(m)),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: toBase64(signatureDer), keyid: '' }]
    }
  };
}

/** Whether a parsed document looks like a Sigstore bundle (it is then read as a signed manifest). */
export function isBundle(value: unknown): boolean {
  const v = value as { mediaType?: unknown; dsseEnvelope?: unknown } | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.mediaType === 'string' &&
    v.mediaType.startsWith('application/vnd.dev.sigstore.bundle')
  );
}

/**
 * The statement bytes and key hint of a bundle, unverified: the manifest inside is still checked against
 * its own digest, and the signature is checked separately (it needs a public key).
 */
export function unverifiedBundleParts(value: unknown): { payload: Uint8Array; keyHint: string | null } {
  const bundle = value as {
    verificationMaterial?: { publicKey?: { hint?: unknown } };
    dsseEnvelope?: { payload?: unknown; payloadType?: unknown; signatures?: unknown };
  };
  const env = bundle.dsseEnvelope;
  if (typeof env !== 'object' || env === null)
    throw new ManifestError(
      'MANIFEST_BUNDLE_INVALID',
      'This Sigstore bundle holds no DSSE envelope, so it is not a signed manifest.'
    );
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw new ManifestError(
      'MANIFEST_BUNDLE_INVALID',
      `This bundle's payload is ${String(env.payloadType).slice(0, 80)}, not an in-toto Statement.`
    );
  if (typeof env.payload !== 'string' || env.payload.length > (MAX_SIGNED_PAYLOAD_BYTES / 3) * 4)
    throw new ManifestError('MANIFEST_BUNDLE_INVALID', 'The bundle payload is missing or too large.');
  const payload = fromBase64(env.payload);
  if (!payload) throw new ManifestError('MANIFEST_BUNDLE_INVALID', 'The bundle payload is not valid base64.');
  const hint = bundle.verificationMaterial?.publicKey?.hint;
  return { payload, keyHint: typeof hint === 'string' && hint ? hint.slice(0, 200) : null };
}
