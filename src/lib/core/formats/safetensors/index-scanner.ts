import { readAll } from '../../bytes/byte-source';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { parseShardIndex, unsafeShardName, type ShardIndex } from './shard-index';

const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const WEIGHT_MAP = /"weight_map"\s*:/;

function startsWithBrace(head: Uint8Array): boolean {
  for (const b of head.subarray(0, 256)) {
    if (b === 0x7b) return true;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf)
      return false;
  }
  return false;
}

/** The index of a sharded model (`model.safetensors.index.json`, also `pytorch_model.bin.index.json`). */
export const safetensorsIndexFormat: FormatScanner = {
  id: 'safetensors-index',
  label: 'Sharded model index',
  sniff(probe: Probe) {
    if (!startsWithBrace(probe.head)) return false;
    if (/\.index\.json$/i.test(probe.name)) return true;
    return WEIGHT_MAP.test(new TextDecoder('latin1').decode(probe.head));
  },
  async scan(src, ctx) {
    if (src.size > MAX_INDEX_BYTES) {
      ctx.incomplete(
        `The index is ${src.size} bytes; indexes above ${MAX_INDEX_BYTES} bytes are not parsed.`
      );
      return;
    }
    const text = new TextDecoder('utf-8').decode(await readAll(src)).replace(/^\uFEFF/, '');
    const { index, problems } = parseShardIndex(text, src.name);
    for (const problem of problems) ctx.report(problem);
    if (index) {
      ctx.fact('safetensors-index.tensors', index.weightMap.size);
      ctx.fact('safetensors-index.shards', new Set(index.weightMap.values()).size);
      referenceShards(index, ctx);
    }
  }
};

/**
 * Each shard the index names, with how many tensors it should hold: a dropped folder is checked against them
 * (a shard missing, or holding another number of tensors than the index says). Unsafe names are reported above.
 */
function referenceShards(index: ShardIndex, ctx: ScanContext): void {
  const perShard = new Map<string, number>();
  for (const shard of index.weightMap.values()) perShard.set(shard, (perShard.get(shard) ?? 0) + 1);
  for (const [shard, tensors] of perShard) {
    if (unsafeShardName(shard) || !shard.endsWith('.safetensors')) continue;
    ctx.reference({ kind: 'shard', target: shard, expect: { 'safetensors.tensors': tensors } });
  }
}
