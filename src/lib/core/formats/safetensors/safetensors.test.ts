import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { packedSafetensors, safetensorsBytes } from '../../../../../tests/fixtures/safetensors/build';
import { parseSafetensors } from './header';
import { safetensorsFormat } from '.';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../../../tests/fixtures/safetensors/${name}`, import.meta.url)));

async function scan(bytes: Uint8Array, name = 'model.safetensors') {
  return scanSource(memorySource(bytes, name), { formats: [safetensorsFormat] });
}
const rules = (r: { findings: { ruleId: string }[] }) => r.findings.map((f) => f.ruleId).sort();

describe('safetensors', () => {
  it('reads a consistent file as clean, with tensor and parameter counts', async () => {
    const bytes = fixture('tiny-benign.safetensors');
    const parsed = await parseSafetensors(memorySource(bytes));
    expect(parsed.problems).toEqual([]);
    expect(parsed.header?.tensors.map((t) => t.name)).toEqual([
      'embed.weight',
      'norm.weight',
      'layers.0.bias',
      'step'
    ]);
    expect(parsed.header?.parameterCount).toBe(12n + 3n + 3n + 1n);
    const report = await scan(bytes);
    expect(report.verdict).toBe('clean');
    expect(report.complete).toBe(true);
    expect(report.facts).toMatchObject({ 'safetensors.tensors': 4, 'safetensors.parameters': 19 });
  });

  it('flags overlapping tensors and trailing bytes as high', async () => {
    const report = await scan(fixture('overlap-trailing.safetensors'));
    expect(report.verdict).toBe('high');
    expect(rules(report)).toEqual(['safetensors.overlap', 'safetensors.trailing-data']);
  });

  it('flags duplicate keys as high and analyses the first copy', async () => {
    const bytes = fixture('duplicate-key.safetensors');
    const parsed = await parseSafetensors(memorySource(bytes));
    expect(parsed.header?.tensors).toHaveLength(1);
    expect(parsed.header?.tensors[0].shape).toEqual([1]);
    expect(parsed.problems.map((p) => p.ruleId)).toContain('safetensors.duplicate-key');
    expect(parsed.problems.find((p) => p.ruleId === 'safetensors.duplicate-key')?.severity).toBe('high');
  });

  it('flags a gap between tensors', async () => {
    const bytes = safetensorsBytes(
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}',
      12
    );
    expect(rules(await scan(bytes))).toEqual(['safetensors.gap']);
  });

  it('accepts tensors listed out of data order and zero-size tensors', async () => {
    const bytes = safetensorsBytes(
      '{"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[8,8]},"a":{"dtype":"U8","shape":[2,2],"data_offsets":[0,4]}}',
      8
    );
    expect((await scan(bytes)).verdict).toBe('clean');
  });

  it.each([
    [
      'unknown dtype',
      '{"a":{"dtype":"Q4","shape":[4],"data_offsets":[0,4]}}',
      4,
      'safetensors.tensor-invalid'
    ],
    [
      'size mismatch',
      '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,4]}}',
      4,
      'safetensors.size-mismatch'
    ],
    [
      'past the end',
      '{"a":{"dtype":"U8","shape":[400],"data_offsets":[0,400]}}',
      4,
      'safetensors.out-of-bounds'
    ],
    [
      'reversed offsets',
      '{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}',
      4,
      'safetensors.tensor-invalid'
    ],
    [
      'negative dim',
      '{"a":{"dtype":"U8","shape":[-4],"data_offsets":[0,4]}}',
      4,
      'safetensors.tensor-invalid'
    ],
    [
      'offset near 2^64',
      '{"a":{"dtype":"U8","shape":[4],"data_offsets":[18446744073709551612,18446744073709551616]}}',
      4,
      'safetensors.tensor-invalid'
    ],
    [
      'huge shape product',
      '{"a":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}',
      8,
      'safetensors.size-mismatch'
    ],
    ['non-string metadata', '{"__metadata__":{"n":1}}', 0, 'safetensors.metadata-invalid'],
    ['not JSON', '{"a": nope}', 0, 'safetensors.header-json'],
    ['array header', '{}', 0, null],
    ['JSON array', '[1,2]   ', 0, 'safetensors.header-start']
  ])('reports %s', async (_label, json, data, ruleId) => {
    const report = await scan(safetensorsBytes(json, data));
    if (ruleId === null) expect(report.verdict).toBe('clean');
    else {
      expect(rules(report)).toContain(ruleId);
      expect(report.verdict).not.toBe('clean');
    }
  });

  it('rejects header lengths near 2^64 and above the loader limit without reading them', async () => {
    for (const length of [0xffffffffffffffffn, 0x8000000000000000n, 100_000_001n, 2n ** 53n]) {
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setBigUint64(0, length, true);
      bytes[8] = 0x7b;
      const report = await scan(bytes);
      expect(rules(report)).toEqual(['safetensors.header-too-large']);
    }
  });

  it('survives deep nesting in the header', async () => {
    const deep = `{"__metadata__":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const report = await scan(safetensorsBytes(deep, 0));
    expect(rules(report)).toEqual(['safetensors.header-json']);
  });

  it('handles a header with 100k tensors', async () => {
    const tensors = Array.from(
      { length: 100_000 },
      (_, i) => [`t${i}`, 'U8', [1]] as [string, string, number[]]
    );
    const report = await scan(packedSafetensors(tensors));
    expect(report.verdict).toBe('clean');
    expect(report.facts?.['safetensors.tensors']).toBe(100_000);
  });

  it('never says clean when cut at any byte', async () => {
    const bytes = fixture('tiny-benign.safetensors');
    for (let cut = 0; cut < bytes.length; cut++) {
      const report = await scan(bytes.subarray(0, cut));
      expect(report.verdict, `cut at ${cut}`).not.toBe('clean');
    }
  });

  it('flags code in metadata as medium and URLs as low', async () => {
    const code = await scan(packedSafetensors([['a', 'U8', [1]]], { init: "import os; os.system('id')" }));
    expect(code.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['safetensors.metadata-code', 'medium']
    ]);
    const url = await scan(packedSafetensors([['a', 'U8', [1]]], { home: 'see https://example.org/x' }));
    expect(url.findings.map((f) => [f.ruleId, f.severity])).toEqual([['safetensors.metadata-url', 'low']]);
  });

  it('sniffs by content, not only by name', () => {
    const bytes = fixture('tiny-benign.safetensors');
    const probe = { head: bytes, tail: bytes, name: 'weights.bin', size: bytes.length };
    expect(safetensorsFormat.sniff(probe)).toBe('header');
    expect(
      safetensorsFormat.sniff({ ...probe, head: new TextEncoder().encode('PK\x03\x04 not safetensors') })
    ).toBe(false);
  });
});
