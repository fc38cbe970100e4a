import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { SEVERITIES } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const SOURCE_FILE = /\.(py|ts|mjs|md)$/;

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return fixtureFiles(path);
    return SOURCE_FILE.test(name) || statSync(path).size > 300_000 ? [] : [path];
  });
}

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible mutation. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutations(bytes: Uint8Array, seed: number): { what: string; bytes: Uint8Array }[] {
  const random = prng(seed);
  const out: { what: string; bytes: Uint8Array }[] = [];
  for (let i = 1; i <= 8; i++) {
    const cut = Math.floor((bytes.length * i) / 9);
    out.push({ what: `cut at ${cut}`, bytes: bytes.subarray(0, cut) });
  }
  for (let i = 0; i < 8; i++) {
    const flipped = bytes.slice();
    const flips = 1 + Math.floor(random() * 8);
    const at: number[] = [];
    for (let f = 0; f < flips && flipped.length > 0; f++) {
      const p = Math.floor(random() * flipped.length);
      flipped[p] = Math.floor(random() * 256);
      at.push(p);
    }
    out.push({ what: `bytes changed at ${at.join(',')}`, bytes: flipped });
  }
  return out;
}

const files = fixtureFiles(FIXTURES);

describe('every scanner survives damaged input', () => {
  it('has fixtures of every kind to damage', () => expect(files.length).toBeGreaterThan(60));

  for (const [n, path] of files.entries()) {
    const name = relative(FIXTURES, path);
    it(`${name}: truncated or corrupted copies give a report, never a crash`, async () => {
      const original = new Uint8Array(readFileSync(path));
      for (const m of mutations(original, n + 1)) {
        const report = await scanSource(memorySource(m.bytes, name.split('/').pop()!)).catch((err: Error) => {
          throw new Error(`${name}, ${m.what}: scanSource threw ${err.stack}`);
        });
        expect(['clean', ...SEVERITIES], `${name}, ${m.what}`).toContain(report.verdict);
        expect(
          report.findings.every((f) => f.ruleId && f.title && f.message),
          `${name}, ${m.what}`
        ).toBe(true);
      }
    });
  }

  for (const path of files) {
    const name = relative(FIXTURES, path);
    it(`${name}: a truncated copy is never called clean when the whole file is recognised`, async () => {
      const original = new Uint8Array(readFileSync(path));
      const base = name.split('/').pop()!;
      const whole = await scanSource(memorySource(original, base));
      if (whole.formats.length === 0 || !whole.complete) return;
      for (let i = 1; i <= 8; i++) {
        const cut = Math.floor((original.length * i) / 9);
        const report = await scanSource(memorySource(original.subarray(0, cut), base));
        expect(report.verdict, `${name} cut at ${cut} of ${original.length}`).not.toBe('clean');
      }
    });
  }
});
