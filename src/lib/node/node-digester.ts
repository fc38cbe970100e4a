import { createHash } from 'node:crypto';
import { chunks } from '../core/bytes/chunks';
import { digestWithHashWasm, type SourceDigester } from '../core/signing/range-digest';

/** OpenSSL's names for the model-signing hash types it has; BLAKE3 is not among them. */
const OPENSSL = { sha256: 'sha256', blake2b: 'blake2b512' } as const;

/** Model-signing digests with node:crypto in the CLI (SHA-256, BLAKE2b); BLAKE3 stays on hash-wasm. */
export const nodeDigester: SourceDigester = async (source, hashType, opts) => {
  if (hashType === 'blake3') return digestWithHashWasm(source, hashType, opts);
  const hash = createHash(OPENSSL[hashType]);
  let done = 0;
  for await (const { bytes } of chunks(source, { signal: opts.signal })) {
    hash.update(bytes);
    done += bytes.length;
    opts.onBytes?.(bytes.length);
  }
  if (done !== source.size)
    throw new Error(`${source.name}: read ${done} of ${source.size} bytes (file changed?)`);
  return hash.digest('hex');
};
