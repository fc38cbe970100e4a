import { sha256 } from '@noble/hashes/sha2.js';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A public key's fingerprint: SHA-256 of its DER SubjectPublicKeyInfo, in hex — what
 * `openssl pkey -pubin -in key.pem -outform DER | sha256sum` prints, so anyone can recompute it.
 */
export function keyFingerprint(spki: Uint8Array): string {
  return hex(sha256(spki));
}

/** The fingerprint grouped for reading aloud and comparing by eye: "f396 9f2c e05d …". */
export function groupedFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;
}
