import { createHash } from 'node:crypto';
import type { DigestProvider } from '../core/hash/digest-provider';

/** node:crypto (OpenSSL, with SHA-NI where the CPU has it): the CLI's digests. hash-wasm stays the browser's. */
export const nodeDigests: DigestProvider = {
  start(algorithm) {
    const hash = createHash(algorithm);
    return { update: (bytes) => void hash.update(bytes), hex: () => hash.digest('hex') };
  }
};
