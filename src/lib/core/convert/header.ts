import { MAX_SAFETENSORS_HEADER } from '../formats/safetensors/header';
import { ConvertError } from './errors';
import type { PlannedTensor } from './plan';

export interface ShardLayout {
  /** The 8-byte length, the JSON header and its space padding. */
  header: Uint8Array;
  tensors: PlannedTensor[];
  /** Size of the whole file. */
  size: number;
}

/**
 * The safetensors header for tensors written back to back in the given order. Built key by key (never
 * through an object, where a tensor named "__proto__" would vanish) and padded with spaces so the data
 * starts 8-byte aligned, as the reference writer does.
 */
export function buildHeader(
  tensors: readonly PlannedTensor[],
  metadata: Record<string, string>
): ShardLayout {
  const parts: string[] = [];
  const meta = Object.entries(metadata);
  if (meta.length > 0) {
    parts.push(
      `"__metadata__":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
    );
  }
  let offset = 0;
  for (const t of tensors) {
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.byteLength] };
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify(entry)}`);
    offset += t.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_SAFETENSORS_HEADER) {
    throw new ConvertError(
      `the safetensors header would be ${padded} bytes, above the ${MAX_SAFETENSORS_HEADER}-byte limit`
    );
  }
  const header = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(header.buffer).setUint32(0, padded, true);
  header.set(json, 8);
  return { header, tensors: [...tensors], size: header.length + offset };
}

/** Splits tensors (in write order) into shards of at most `maxBytes` of data; a bigger tensor gets its own. */
export function splitShards(tensors: readonly PlannedTensor[], maxBytes: number): PlannedTensor[][] {
  const shards: PlannedTensor[][] = [];
  let current: PlannedTensor[] = [];
  let bytes = 0;
  for (const t of tensors) {
    if (current.length > 0 && bytes + t.byteLength > maxBytes) {
      shards.push(current);
      current = [];
      bytes = 0;
    }
    current.push(t);
    bytes += t.byteLength;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** transformers' shard names: model-00001-of-00003.safetensors. */
export function shardName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}
