import { createBLAKE2b, createBLAKE3, createSHA256, type IHasher } from 'hash-wasm';
import type { ByteSource } from '../bytes/byte-source';
import { chunks } from '../bytes/chunks';
import type { HashType } from './model-manifest';

/** Hex digest of a whole source (callers pass `source.sub(start, len)` for a shard). */
export type SourceDigester = (
  source: ByteSource,
  hashType: HashType,
  opts: { signal?: AbortSignal; onBytes?: (n: number) => void }
) => Promise<string>;

function create(hashType: HashType): Promise<IHasher> {
  if (hashType === 'sha256') return createSHA256();
  if (hashType === 'blake2b') return createBLAKE2b(512); // hashlib.blake2b's default 64-byte digest
  return createBLAKE3(256);
}

/** Streams a source through hash-wasm; memory stays at a couple of chunks whatever the size. */
export const digestWithHashWasm: SourceDigester = async (source, hashType, { signal, onBytes } = {}) => {
  const hasher = await create(hashType);
  hasher.init();
  let done = 0;
  for await (const { bytes } of chunks(source, { signal })) {
    hasher.update(bytes);
    done += bytes.length;
    onBytes?.(bytes.length);
  }
  if (done !== source.size)
    throw new Error(`${source.name}: read ${done} of ${source.size} bytes (file changed?)`);
  return hasher.digest('hex');
};
