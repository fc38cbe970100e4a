import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { packedSafetensors } from '../../../../../tests/fixtures/safetensors/build';
import { parseSafetensors, type SafetensorsHeader } from './header';
import { safetensorsIndexFormat } from './index-scanner';
import { checkSafetensorsIndex, parseShardIndex } from './shard-index';

const NAME = 'model.safetensors.index.json';
const index = (weightMap: Record<string, unknown>, totalSize?: number) =>
  JSON.stringify({
    metadata: totalSize === undefined ? {} : { total_size: totalSize },
    weight_map: weightMap
  });
const scan = (text: string, name = NAME) =>
  scanSource(memorySource(new TextEncoder().encode(text), name), { formats: [safetensorsIndexFormat] });
const rules = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId).sort();

async function shard(tensors: [string, string, number[]][]): Promise<SafetensorsHeader> {
  const { header } = await parseSafetensors(memorySource(packedSafetensors(tensors)));
  return header!;
}

describe('safetensors shard index', () => {
  it('accepts a plain index', async () => {
    const report = await scan(
      index({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' }, 8)
    );
    expect(report.verdict).toBe('clean');
    expect(report.facts).toMatchObject({ 'safetensors-index.tensors': 2, 'safetensors-index.shards': 2 });
  });

  it.each([
    '/etc/passwd',
    '../../outside.safetensors',
    'sub/../../x.safetensors',
    'C:\\models\\x.safetensors'
  ])('flags the shard path %s as high', async (shardName) => {
    const report = await scan(index({ a: shardName }));
    expect(rules(report.findings)).toEqual(['safetensors-index.shard-path']);
    expect(report.verdict).toBe('high');
  });

  it('flags non-safetensors shards, bad entries, duplicates and invalid JSON', async () => {
    expect(rules((await scan(index({ a: 'pytorch_model.bin' }))).findings)).toEqual([
      'safetensors-index.shard-type'
    ]);
    expect(rules((await scan(index({ a: 7 }))).findings)).toEqual(['safetensors-index.invalid-entry']);
    expect(
      rules((await scan('{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}')).findings)
    ).toEqual(['safetensors-index.duplicate-key']);
    expect(rules((await scan('{"weight_map": ')).findings)).toEqual(['safetensors-index.json']);
    expect(rules((await scan('{"metadata": {}}')).findings)).toEqual(['safetensors-index.invalid']);
  });

  it('checks the index against the shards present', async () => {
    const parsed = parseShardIndex(
      index({ a: 's1.safetensors', b: 's1.safetensors', c: 's2.safetensors', d: 's3.safetensors' }, 999),
      NAME
    );
    const shards = new Map([
      [
        's1.safetensors',
        await shard([
          ['a', 'F32', [2]],
          ['x', 'F32', [1]]
        ])
      ],
      [
        's2.safetensors',
        await shard([
          ['c', 'F32', [1]],
          ['a', 'F32', [2]]
        ])
      ]
    ]);
    const problems = checkSafetensorsIndex(parsed.index!, shards);
    expect(rules(problems)).toEqual([
      'safetensors-index.dangling',
      'safetensors-index.duplicate-tensor',
      'safetensors-index.missing-shard',
      'safetensors-index.unlisted-tensor'
    ]);
    expect(problems.find((p) => p.ruleId === 'safetensors-index.dangling')?.evidence?.excerpt).toBe(
      'b → s1.safetensors'
    );
  });

  it('is satisfied by matching shards and total_size', async () => {
    const parsed = parseShardIndex(index({ a: 's1.safetensors', c: 's2.safetensors' }, 12), NAME);
    const shards = new Map([
      ['s1.safetensors', await shard([['a', 'F32', [2]]])],
      ['s2.safetensors', await shard([['c', 'F32', [1]]])]
    ]);
    expect(checkSafetensorsIndex(parsed.index!, shards)).toEqual([]);
    const wrongTotal = parseShardIndex(index({ a: 's1.safetensors', c: 's2.safetensors' }, 13), NAME);
    expect(rules(checkSafetensorsIndex(wrongTotal.index!, shards))).toEqual(['safetensors-index.total-size']);
  });
});
