import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { GgufWriter, T } from '../../../../../tests/fixtures/gguf/build';
import { tinyLlama } from '../../../../../tests/fixtures/gguf/generate';
import { parseGguf } from './parse';
import { ggufFormat } from '.';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../../../tests/fixtures/gguf/${name}`, import.meta.url)));
const scan = (bytes: Uint8Array, name = 'model.gguf') =>
  scanSource(memorySource(bytes, name), { formats: [ggufFormat] });
const rules = (r: { findings: { ruleId: string }[] }) => [...new Set(r.findings.map((f) => f.ruleId))].sort();

function u64At(bytes: Uint8Array, offset: number, value: bigint): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(offset, value, true);
  return copy;
}

describe('gguf', () => {
  it('reads v3 and v1 files with vocabularies and a benign template as clean', async () => {
    for (const name of ['tiny-benign.gguf', 'tiny-benign-v1.gguf']) {
      const report = await scan(fixture(name));
      expect(report.verdict, name).toBe('clean');
      expect(report.complete).toBe(true);
      expect(report.facts).toMatchObject({
        'gguf.tensors': 3,
        'gguf.metadataKeys': 12,
        'gguf.parameters': 32 + 64 + 8,
        'gguf.general.architecture': 'llama',
        'gguf.chatTemplates': 1
      });
    }
    const parsed = await parseGguf(memorySource(fixture('tiny-benign.gguf')));
    expect(parsed.tensors.map((t) => [t.name, t.bytes])).toEqual([
      ['token_embd.weight', 128],
      ['blk.0.attn_q.weight', 68],
      ['output_norm.weight', 16]
    ]);
    expect(parsed.strings.map((s) => s.key)).toEqual([
      'general.architecture',
      'general.name',
      'tokenizer.chat_template'
    ]);
  });

  it('flags the CVE-2024-34359 chat template as critical with the expression in evidence', async () => {
    const report = await scan(fixture('template-injection.gguf'));
    expect(report.verdict).toBe('critical');
    const finding = report.findings.find((f) => f.ruleId === 'chat-template.python-internals');
    expect(finding?.evidence.details?.template).toBe('tokenizer.chat_template');
    expect(String(finding?.evidence.details?.expression)).toContain('__subclasses__');
    expect(finding?.evidence.excerpt).toContain('catch_warnings');
    expect(finding?.message).toContain('CVE-2024-34359');
  });

  it('analyses named template variants and every copy of a duplicated key', async () => {
    const bad = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    const named = await scan(tinyLlama().str('tokenizer.chat_template.tool_use', bad).build());
    expect(named.verdict).toBe('critical');
    const dup = await scan(tinyLlama().str('tokenizer.chat_template', bad).build());
    expect(rules(dup)).toEqual(
      expect.arrayContaining(['gguf.duplicate-key', 'chat-template.python-internals'])
    );
  });

  it('flags overlapping tensors, gaps and trailing data as high', async () => {
    expect(rules(await scan(fixture('overlap.gguf')))).toEqual(['gguf.overlap']);
    const gap = new GgufWriter()
      .tensor({ name: 'a', dims: [8], type: 0, offset: 0, bytes: 32 })
      .tensor({ name: 'b', dims: [8], type: 0, offset: 256, bytes: 32 })
      .build();
    expect(rules(await scan(gap))).toEqual(['gguf.hidden-data']);
    const trailing = tinyLlama().build(100);
    const report = await scan(trailing);
    expect(rules(report)).toEqual(['gguf.hidden-data']);
    expect(report.verdict).toBe('high');
  });

  it.each([
    ['misaligned offset', { name: 'a', dims: [8], type: 0, offset: 4, bytes: 32 }, 'gguf.misaligned'],
    ['unknown type', { name: 'a', dims: [8], type: 77, bytes: 32 }, 'gguf.unknown-type'],
    ['shape not a block multiple', { name: 'a', dims: [33], type: 8, bytes: 34 }, 'gguf.tensor-shape'],
    ['past the end', { name: 'a', dims: [8], type: 0, offset: 1 << 20, bytes: 0 }, 'gguf.out-of-bounds']
  ])('reports %s as medium', async (_label, tensor, ruleId) => {
    const report = await scan(new GgufWriter().tensor(tensor).build());
    expect(rules(report)).toEqual([ruleId]);
    expect(report.verdict).toBe('medium');
  });

  it('refuses more than 4 dimensions and a bad alignment', async () => {
    const dims = await scan(
      new GgufWriter().tensor({ name: 'a', dims: [1, 1, 1, 1, 1], type: 0, bytes: 4 }).build()
    );
    expect(dims.complete).toBe(false);
    expect(dims.findings[0].message).toContain('5 dimensions');
    const align = await scan(new GgufWriter().u32('general.alignment', 24).build());
    expect(align.findings[0].message).toContain('not a power of two');
  });

  it('rejects counts and lengths near 2^64 without allocating', async () => {
    const base = new GgufWriter()
      .str('general.name', 'x')
      .tensor({ name: 'a', dims: [8], type: 0, bytes: 32 })
      .build();
    // tensor count @8, kv count @16, key length @24
    for (const [offset, value] of [
      [8, 2n ** 64n - 1n],
      [16, 2n ** 64n - 1n],
      [8, 2n ** 40n],
      [16, 123_456_789n],
      [24, 2n ** 63n]
    ] as const) {
      const report = await scan(u64At(base, offset, value));
      expect(report.verdict, `offset ${offset}`).not.toBe('clean');
      expect(report.complete).toBe(false);
    }
    const hugeArray = new GgufWriter()
      .kv('a', { type: T.array, elementType: T.string, values: ['x'] })
      .build();
    const arrayLengthAt = 8 + 8 + 8 + 8 + 1 + 4 + 4;
    expect((await scan(u64At(hugeArray, arrayLengthAt, 2n ** 64n - 1n))).complete).toBe(false);
    const hugeDim = new GgufWriter().tensor({ name: 'a', dims: [8], type: 0, bytes: 32 }).build();
    const report = await scan(u64At(hugeDim, 8 + 8 + 8 + 8 + 1 + 4, 2n ** 63n));
    expect(rules(report)).toEqual(['gguf.tensor-shape']);
  });

  it('stops at deeply nested arrays', async () => {
    let value: Parameters<GgufWriter['kv']>[1] = { type: T.u8, value: 1 };
    for (let i = 0; i < 10; i++) value = { type: T.array, elementType: value.type, values: [value] as never };
    const report = await scan(new GgufWriter().kv('deep', value).build());
    expect(report.complete).toBe(false);
    expect(report.findings[0].message).toContain('nested deeper');
  });

  it('skips a 150k-string vocabulary in large reads, each byte read about once (its speed is in the bench)', async () => {
    const tokens = Array.from({ length: 150_000 }, (_, i) => `token-${i}`);
    const bytes = new GgufWriter()
      .kv('tokenizer.ggml.tokens', { type: T.array, elementType: T.string, values: tokens })
      .build();
    const inner = memorySource(bytes, 'model.gguf');
    const reads: number[] = [];
    const counted = {
      ...inner,
      name: inner.name,
      size: inner.size,
      read: (offset: number, length: number) => {
        reads.push(Math.min(length, bytes.length - offset));
        return inner.read(offset, length);
      }
    };
    const report = await scanSource(counted, { formats: [ggufFormat] });
    expect(report.verdict).toBe('clean');
    expect(report.complete).toBe(true);
    expect(report.facts?.['gguf.metadataKeys']).toBe(1);
    // 150,000 strings, yet a handful of reads: not one per string, and no part re-read more than twice.
    expect(reads.length).toBeLessThan(20);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(3 * bytes.length);
  });

  it('never says clean when cut inside the header or tensor data', async () => {
    const small = new GgufWriter(3, 16)
      .str('general.architecture', 'llama')
      .u32('general.alignment', 16)
      .kv('tokenizer.ggml.tokens', { type: T.array, elementType: T.string, values: ['a', 'bc'] })
      .kv('nested', {
        type: T.array,
        elementType: T.array,
        values: [{ type: T.array, elementType: T.u16, values: [1, 2] }] as never
      })
      .str('tokenizer.chat_template', '{{ messages }}')
      .tensor({ name: 'a', dims: [4, 2], type: 0, bytes: 32 })
      .tensor({ name: 'b', dims: [32], type: 8, bytes: 34 })
      .build();
    expect((await scan(small)).verdict).toBe('clean');
    const parsed = await parseGguf(memorySource(small));
    const lastByte = parsed.dataStart + Math.max(...parsed.tensors.map((t) => t.offset + (t.bytes ?? 0)));
    for (let cut = 0; cut < lastByte; cut++) {
      const report = await scan(small.subarray(0, cut));
      expect(report.verdict, `cut at ${cut}`).not.toBe('clean');
    }
  });

  it('still reports a malicious template when the file is truncated after it', async () => {
    const bytes = fixture('template-injection.gguf');
    const report = await scan(bytes.subarray(0, bytes.length - 300));
    expect(report.verdict).toBe('critical');
    expect(report.complete).toBe(false);
  });
});
