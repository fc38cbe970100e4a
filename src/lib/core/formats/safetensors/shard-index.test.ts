import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { safetensorsIndexFormat } from './index-scanner';

const NAME = 'model.safetensors.index.json';
const index = (weightMap: Record<string, unknown>, totalSize?: number) =>
  JSON.stringify({
    metadata: totalSize === undefined ? {} : { total_size: totalSize },
    weight_map: weightMap
  });
const scan = (text: string, name = NAME) =>
  scanSource(memorySource(new TextEncoder().encode(text), name), { formats: [safetensorsIndexFormat] });
const rules = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId).sort();

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
});
