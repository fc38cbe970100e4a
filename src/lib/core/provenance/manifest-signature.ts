import { errorMessage } from '../signing/checklist';
import { keyFingerprint } from '../signing/key-fingerprint';
import { onlyBlocks } from '../signing/pem';
import { verifySignedBundle } from '../signing/verify-bundle';
import type { ManifestDocument } from './manifest-document';
import { manifestPayload } from './signed-manifest';

/** A public key the reader knows: their own signing key, or one they chose to trust. */
export interface KnownKey {
  label: string;
  publicKeyPem: string;
}

/**
 * Who signed a manifest and whether the signature holds. A valid signature by a key the reader does not
 * know proves only that someone holding that key signed it: the fingerprint is what they must check.
 */
export type ManifestSignature =
  | { state: 'unsigned' }
  | { state: 'verified'; fingerprint: string; knownAs: string | null; publicKeyPem: string }
  | { state: 'invalid'; fingerprint: string | null; reason: string }
  | { state: 'unknown-key'; fingerprint: string | null };

function fingerprintOf(pem: string): string {
  return keyFingerprint(onlyBlocks(pem, 'PUBLIC KEY', 'public key')[0]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks a signed manifest's signature with the key its hint names among the known keys, else with the
 * key that came with it (a share link carries its signer's public key). Unsigned forms are "unsigned".
 */
export function checkManifestSignature(
  doc: ManifestDocument,
  known: readonly KnownKey[],
  carriedKeyPem?: string
): ManifestSignature {
  if (doc.form !== 'signed' || !doc.bundle) return { state: 'unsigned' };
  let carried: { pem: string; fingerprint: string } | null = null;
  if (carriedKeyPem) {
    try {
      carried = { pem: carriedKeyPem, fingerprint: fingerprintOf(carriedKeyPem) };
    } catch (err) {
      return {
        state: 'invalid',
        fingerprint: doc.keyHint,
        reason: `the attached key is unusable: ${errorMessage(err)}`
      };
    }
    if (doc.keyHint && carried.fingerprint !== doc.keyHint)
      return {
        state: 'invalid',
        fingerprint: doc.keyHint,
        reason: 'the attached key is not the key named by the signature'
      };
  }
  const hinted = doc.keyHint ?? carried?.fingerprint ?? null;
  const usable = known.slice(0, MAX_KNOWN_KEYS).flatMap((k) => {
    try {
      return [{ ...k, fingerprint: fingerprintOf(k.publicKeyPem) }];
    } catch {
      return [];
    }
  });
  const named = usable.find((k) => k.fingerprint === hinted);
  const key =
    named ?? (carried ? { label: null, publicKeyPem: carried.pem, fingerprint: carried.fingerprint } : null);
  if (key) return checkWith(doc, key);
  // Another tool may name its key differently: a known key that verifies is still the signer.
  for (const k of usable) {
    const result = checkWith(doc, k);
    if (result.state === 'verified') return result;
  }
  return { state: 'unknown-key', fingerprint: hinted };
}

const MAX_KNOWN_KEYS = 100;

function checkWith(
  doc: ManifestDocument,
  key: { label: string | null; publicKeyPem: string; fingerprint: string }
): ManifestSignature {
  const check = verifySignedBundle(doc.bundle, { mode: 'key', publicKeyPem: key.publicKeyPem });
  if (!check.ok || !check.payload) {
    const reason = check.lines.find((l) => !l.ok)?.reason ?? 'the signature does not verify';
    return { state: 'invalid', fingerprint: key.fingerprint, reason };
  }
  // The manifest on screen must be the one the signature covers, byte for byte.
  if (!sameBytes(check.payload.bytes, manifestPayload(doc.manifest)))
    return {
      state: 'invalid',
      fingerprint: key.fingerprint,
      reason: 'the signed statement is not this manifest'
    };
  return {
    state: 'verified',
    fingerprint: key.fingerprint,
    knownAs: key.label,
    publicKeyPem: key.publicKeyPem
  };
}
