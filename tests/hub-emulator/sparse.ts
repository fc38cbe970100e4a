// Multi-GB files that cost nothing on disk: the header is written, the rest is a hole (reads as zeros). Used by
// the Hub emulator's callers (browser tests, the benchmark) to serve realistic sizes over real HTTP.
import { createHash } from 'node:crypto';
import { createReadStream, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { EmulatedFile } from './server';

/** A file on disk served from LFS/Xet; the listing's sha256 is the real one (the whole file is hashed once). */
export async function lfsFile(path: string): Promise<EmulatedFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk);
  return { content: { fsPath: path, size: statSync(path).size, sha256: hash.digest('hex') }, lfs: true };
}

/** `head` then zeros up to `size`. */
export function sparseFile(path: string, head: Uint8Array, size: number): Promise<EmulatedFile> {
  writeFileSync(path, head);
  truncateSync(path, size);
  return lfsFile(path);
}

/** A safetensors file of F16 4096×4096 tensors named from `firstLayer` on, `dataBytes` of (zero) weights. */
export function safetensorsHead(dataBytes: number, firstLayer = 0): Uint8Array {
  const tensor = 4096 * 4096 * 2;
  const count = Math.floor(dataBytes / tensor);
  const entries: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let t = 0; t < count; t++)
    entries[`model.layers.${firstLayer + t}.weight`] = {
      dtype: 'F16',
      shape: [4096, 4096],
      data_offsets: [t * tensor, (t + 1) * tensor]
    };
  let json = JSON.stringify(entries);
  while (json.length % 8) json += ' ';
  const header = new TextEncoder().encode(json);
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  return head;
}
