import { shorten } from '../../findings';
import type { FindingInput } from '../types';
import { isJsonObject, JsonSyntaxError, parseStrictJson } from './strict-json';

/** `model.safetensors.index.json`: which shard file holds each tensor. */
export interface ShardIndex {
  /** tensor name → shard file name, first occurrence of each tensor. */
  weightMap: Map<string, string>;
  totalSize?: number;
}

export interface ShardIndexParse {
  index?: ShardIndex;
  problems: FindingInput[];
}

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]|^\\\\/;

/** Why a shard name is unsafe to join to the model folder, or undefined when it is a plain file name. */
export function unsafeShardName(name: string): string | undefined {
  if (name.startsWith('/') || WINDOWS_ABSOLUTE.test(name)) return 'an absolute path';
  if (name.split(/[\\/]/).some((part) => part === '..'))
    return 'a path that climbs out of the model folder (..)';
  if (/[\u0000-\u001f]/.test(name)) return 'control characters';
  return undefined;
}

function medium(ruleId: string, title: string, message: string, excerpt?: string): FindingInput {
  return {
    ruleId,
    severity: 'medium',
    title,
    message,
    evidence: excerpt ? { excerpt: shorten(excerpt, 300) } : {}
  };
}

/** Parses and checks the index file on its own (without the shards). */
export function parseShardIndex(text: string, fileName: string): ShardIndexParse {
  const problems: FindingInput[] = [];
  let parsed;
  try {
    parsed = parseStrictJson(text, { maxDepth: 16 });
  } catch (err) {
    const at = err instanceof JsonSyntaxError ? err.offset : 0;
    problems.push(
      medium(
        'safetensors-index.json',
        'Index is not valid JSON',
        `${shorten((err as Error).message, 160)}. Loaders refuse this index, so the sharded model will not load.`,
        text.slice(Math.max(0, at - 80), at + 80)
      )
    );
    return { problems };
  }
  for (const dup of parsed.duplicates) {
    problems.push({
      ruleId: 'safetensors-index.duplicate-key',
      severity: 'high',
      title: 'Duplicate key in the index',
      message: `"${shorten(dup.key, 80)}" appears more than once in ${shorten(dup.pointer, 80)}. Parsers disagree on which copy wins, so tools can load a tensor from different shards. Only the first copy was analysed.`,
      evidence: { name: shorten(dup.key, 120) }
    });
  }
  const root = parsed.value;
  const weightMap = isJsonObject(root) ? root.get('weight_map') : undefined;
  if (!isJsonObject(root) || !isJsonObject(weightMap)) {
    problems.push(
      medium(
        'safetensors-index.invalid',
        'Index has no weight_map object',
        'Loaders need "weight_map" (tensor → shard file) and will refuse this index.'
      )
    );
    return { problems };
  }
  const index: ShardIndex = { weightMap: new Map() };
  const expectedSuffix = /\.safetensors\.index\.json$/i.test(fileName) ? '.safetensors' : undefined;
  const reported = new Set<string>();
  for (const [tensor, shard] of weightMap) {
    if (typeof shard !== 'string' || shard.length === 0) {
      problems.push(
        medium(
          'safetensors-index.invalid-entry',
          'weight_map entry is not a file name',
          `Tensor "${shorten(tensor, 80)}" maps to ${shorten(JSON.stringify(typeof shard === 'bigint' ? String(shard) : shard) ?? '', 60)}; loaders refuse this.`
        )
      );
      continue;
    }
    index.weightMap.set(tensor, shard);
    if (reported.has(shard)) continue;
    reported.add(shard);
    const unsafe = unsafeShardName(shard);
    if (unsafe) {
      problems.push({
        ruleId: 'safetensors-index.shard-path',
        severity: 'high',
        title: 'Shard name escapes the model folder',
        message: `The index points at "${shorten(shard, 120)}", ${unsafe}. Loaders join this name to the model folder, so loading reads a file the model does not own.`,
        evidence: { name: shorten(shard, 200), details: { tensor: shorten(tensor, 120) } }
      });
    } else if (expectedSuffix && !shard.toLowerCase().endsWith(expectedSuffix)) {
      problems.push(
        medium(
          'safetensors-index.shard-type',
          'Shard is not a safetensors file',
          `A safetensors index points at "${shorten(shard, 120)}". Some tools pick the loader from the shard name, so a pickle shard here would be unpickled.`
        )
      );
    }
  }
  const metadata = root.get('metadata');
  const totalSize = isJsonObject(metadata) ? metadata.get('total_size') : undefined;
  if (typeof totalSize === 'number' && Number.isSafeInteger(totalSize) && totalSize >= 0)
    index.totalSize = totalSize;
  else if (totalSize !== undefined) {
    problems.push({
      ruleId: 'safetensors-index.total-size',
      severity: 'low',
      title: 'metadata.total_size is not a byte count',
      message:
        'The declared total size is not a non-negative integer; it cannot be checked against the shards.',
      evidence: {}
    });
  }
  return { index, problems };
}
