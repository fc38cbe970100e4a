import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { FORMATS } from '..';
import { lfsPointerFormat } from '.';

const pointer = new Uint8Array(
  readFileSync(new URL('../../../../../tests/fixtures/lfs/model.safetensors', import.meta.url))
);

describe('git lfs pointer', () => {
  it('reports a pointer as medium with oid and size, and nothing else (full registry)', async () => {
    const report = await scanSource(memorySource(pointer, 'model.safetensors'), { formats: FORMATS });
    expect(report.formats).toEqual(['lfs-pointer']);
    expect(report.verdict).toBe('medium');
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0].evidence.details).toEqual({
      oid: 'sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393',
      size: 4831838208
    });
  });

  it('says when the pointer is malformed', async () => {
    const text = 'version https://git-lfs.github.com/spec/v1\noid md5:abc\nsize many\n';
    const report = await scanSource(memorySource(new TextEncoder().encode(text), 'x.bin'), {
      formats: [lfsPointerFormat]
    });
    expect(report.findings[0].message).toContain('does not follow the LFS spec');
    expect(report.findings[0].evidence.details).toEqual({});
  });

  it('does not claim large files or other text', () => {
    const probe = (head: Uint8Array, size: number) => ({ head, tail: head, name: 'x', size });
    expect(lfsPointerFormat.sniff(probe(pointer, pointer.length))).toBe(true);
    expect(lfsPointerFormat.sniff(probe(pointer, 5000))).toBe(false);
    expect(lfsPointerFormat.sniff(probe(new TextEncoder().encode('version 1\n'), 10))).toBe(false);
  });
});
