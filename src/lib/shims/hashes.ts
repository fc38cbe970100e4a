import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha3_256, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';

export type HashName =
  'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512';

export const HASHES = {
  sha1,
  sha224,
  sha256,
  sha384,
  sha512,
  'sha3-256': sha3_256,
  'sha3-384': sha3_384,
  'sha3-512': sha3_512
} as const;

/** Node's algorithm names, case-insensitively, including the "RSA-SHA256" style aliases. */
export function hashName(algorithm: string): HashName {
  const name = algorithm
    .toLowerCase()
    .replace(/^rsa-/, '')
    .replace(/^sha-(\d)/, 'sha$1');
  if (name in HASHES) return name as HashName;
  throw new Error(`Digest method not supported: ${algorithm}`);
}
