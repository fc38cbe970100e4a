import { createSHA1, createSHA256, type IHasher } from 'hash-wasm';

export type HashAlgorithm = 'sha256' | 'sha1';

/** One digest being computed. */
export interface RunningDigest {
  update(bytes: Uint8Array): void;
  /** Lower-case hex; the digest may not be used afterwards. */
  hex(): string;
}

/**
 * Where digests come from: hash-wasm here (browser and workers), node:crypto in the CLI (src/lib/node/), so the
 * core stays free of both DOM and Node imports. A provider may reuse one hasher per algorithm, so finish a
 * digest before starting the next one of the same algorithm.
 */
export interface DigestProvider {
  start(algorithm: HashAlgorithm): RunningDigest;
}

function reusing(hasher: IHasher): () => RunningDigest {
  return () => {
    hasher.init();
    return { update: (bytes) => hasher.update(bytes), hex: () => hasher.digest('hex') };
  };
}

/** hash-wasm's SHA-256 and SHA-1, one instance each. */
export async function wasmDigests(): Promise<DigestProvider> {
  const [sha256, sha1] = await Promise.all([createSHA256(), createSHA1()]);
  const starters = { sha256: reusing(sha256), sha1: reusing(sha1) };
  return { start: (algorithm) => starters[algorithm]() };
}
