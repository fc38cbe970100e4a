import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../core/bytes/byte-source';
import { digestWithHashWasm } from '../core/signing/range-digest';
import { nodeDigester } from './node-digester';

describe('nodeDigester (the CLI model-signing digests)', () => {
  const bytes = new Uint8Array(randomBytes(9 * 1024 * 1024 + 3));

  for (const hashType of ['sha256', 'blake2b', 'blake3'] as const) {
    it(`equals hash-wasm for ${hashType}, whole file and a shard, counting every byte`, async () => {
      const source = memorySource(bytes, 'model.bin');
      let counted = 0;
      const got = await nodeDigester(source, hashType, { onBytes: (n) => (counted += n) });
      expect(got).toBe(await digestWithHashWasm(source, hashType, {}));
      expect(counted).toBe(bytes.length);
      const shard = source.sub(1_000_000, 3_000_001);
      expect(await nodeDigester(shard, hashType, {})).toBe(await digestWithHashWasm(shard, hashType, {}));
    });
  }
});
