import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { decodeBzip2 } from './bzip2';
import { DecompressError } from './errors';
import { COMPRESSED_FORMATS } from './index';
import { decodeLzmaAlone } from './lzma-alone';

// Vectors written by CPython's bz2/lzma modules: tests/fixtures/make_compressed_fixtures.py.
const DIR = join(import.meta.dirname, '../../../../../tests/fixtures/compressed');
const vectors = JSON.parse(readFileSync(join(DIR, 'vectors.json'), 'utf8')) as Record<
  string,
  { length: number; sha256: string }
>;
const read = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

function bunzip(data: Uint8Array, max = Infinity): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const _ of decodeBzip2(data, {
    write: (b) => {
      total += b.length;
      if (total > max) throw new DecompressError('BZIP2_CORRUPT', 'over the test limit');
      parts.push(b);
    }
  }));
  return Buffer.concat(parts);
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('bzip2 and LZMA-alone decoders against CPython-made vectors', () => {
  const names = Object.keys(vectors).filter((n) => !n.startsWith('zeros'));
  it('has the vectors', () => expect(names.length).toBeGreaterThanOrEqual(12));

  it.each(names)('%s decodes to the bytes CPython compressed', (name) => {
    const data = read(name);
    const out = name.endsWith('.bz2') ? bunzip(data) : decodeLzmaAlone(data, 1 << 26);
    expect(out.length).toBe(vectors[name].length);
    expect(sha256(out)).toBe(vectors[name].sha256);
  });

  it('stops a bomb at the output limit: 64 MiB of zeros, 1 MiB allowed', () => {
    expect(() => bunzip(read('zeros-64m.bz2'), 1 << 20)).toThrow(DecompressError);
    let produced = -1;
    try {
      decodeLzmaAlone(read('zeros-64m.lzma'), 1 << 20);
    } catch (err) {
      expect(err).toMatchObject({ name: 'DecompressError', code: 'LZMA_LIMIT' });
      produced = (err as DecompressError).produced;
    }
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThanOrEqual(1 << 20);
  });

  it('refuses an LZMA header that declares more than the limit before decoding anything', () => {
    expect(() => decodeLzmaAlone(read('known-size.lzma'), 1000)).toThrow(/declares/);
  });

  it('turns corrupt and truncated data into decoder errors, never a crash or a hang', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const name of ['runs.bz2', 'words.bz2', 'runs.lzma', 'words.lzma']) {
      const original = read(name);
      for (let n = 0; n < 60; n++) {
        const d = original.slice();
        d[Math.floor(rnd() * d.length)] ^= 1 << Math.floor(rnd() * 8);
        const cut = n % 4 === 0 ? d.subarray(0, Math.floor(rnd() * d.length)) : d;
        try {
          if (name.endsWith('.bz2')) bunzip(cut, 1 << 24);
          else decodeLzmaAlone(cut, 1 << 24);
        } catch (err) {
          expect(err instanceof DecompressError && err.code.endsWith('_CORRUPT'), String(err)).toBe(true);
        }
      }
    }
  });

  it('a truncated stream is an error (the block or range coder runs out of data)', () => {
    const words = read('words.bz2');
    expect(() => bunzip(words.subarray(0, words.length - 20))).toThrow(DecompressError);
    const lz = read('words.lzma');
    expect(() => decodeLzmaAlone(lz.subarray(0, lz.length - 20), 1 << 24)).toThrow(
      expect.objectContaining({ code: 'LZMA_CORRUPT' })
    );
  });
});

describe('bzip2 and lzma members through the scanner', () => {
  const scan = (name: string, limits = {}) =>
    scanSource(memorySource(read(name), name), { formats: COMPRESSED_FORMATS, limits });

  it.each(['zeros-64m.bz2', 'zeros-64m.lzma'])(
    '%s past the limit is a high bomb, incomplete',
    async (name) => {
      const r = await scan(name, { maxDecompressedBytes: 1 << 20, maxCompressionRatio: 50 });
      expect(r.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual([
        'archive.decompression-bomb:high',
        'scan.incomplete:medium'
      ]);
      expect(r.complete).toBe(false);
    }
  );

  it.each(['words.bz2', 'words.lzma'])(
    '%s past the per-file budget is incomplete, never clean',
    async (name) => {
      const r = await scan(name, { maxTotalDecompressedBytes: 1000 });
      expect(r.complete).toBe(false);
      expect(r.findings.some((f) => f.message.includes('budget'))).toBe(true);
    }
  );

  it.each(['text.bz2', 'text.lzma'])('%s decodes and is handed on (fully analysed)', async (name) => {
    const r = await scan(name);
    expect(r.complete).toBe(true);
    expect(Object.values(r.facts ?? {})).toContain(vectors[name].length);
  });
});
