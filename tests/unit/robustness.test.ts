import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { SEVERITIES, type FileReport } from '../../src/lib/core/findings';
import { verdictOf } from './verdict-of';
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

/**
 * What every report must satisfy, whatever the bytes: the verdict is the highest finding severity (clean only
 * with no finding, and never for a file not fully analysed), and every finding is complete and points into
 * this file. Returns the broken rules, empty when the report is consistent.
 */
function inconsistencies(report: FileReport, name: string): string[] {
  const problems: string[] = [];
  const truncated = report.findings.some((f) => f.ruleId === 'scan.findings-truncated');
  if (!truncated && report.verdict !== verdictOf(report.findings))
    problems.push(`verdict ${report.verdict} but findings say ${verdictOf(report.findings)}`);
  if (report.verdict === 'clean' && report.findings.length > 0) problems.push('clean with findings');
  if (!report.complete && report.verdict === 'clean') problems.push('incomplete but clean');
  if (!report.complete && report.findings.length === 0)
    problems.push('incomplete without a finding saying why');
  for (const f of report.findings) {
    if (!(SEVERITIES as readonly string[]).includes(f.severity)) problems.push(`severity ${f.severity}`);
    if (!f.ruleId || !f.title || !f.message)
      problems.push(`finding without rule, title or message: ${f.ruleId}`);
    if (f.location.path[0] !== name)
      problems.push(`${f.ruleId} points into ${f.location.path[0]}, not ${name}`);
  }
  return problems;
}

describe('every scanner survives damaged input', () => {
  it('has fixtures of every kind to damage', () => expect(files.length).toBeGreaterThan(60));

  it('the consistency check catches a report that contradicts itself', () => {
    const finding = {
      ruleId: 'x.y',
      severity: 'high' as const,
      title: 't',
      message: 'm',
      format: 'x',
      location: { path: ['f.bin'] },
      evidence: {}
    };
    const report = {
      path: 'f.bin',
      size: 1,
      formats: [],
      verdict: 'clean' as const,
      complete: true,
      findings: [],
      facts: {},
      references: [],
      durationMs: 0
    } satisfies FileReport;
    expect(inconsistencies(report, 'f.bin')).toEqual([]);
    expect(inconsistencies({ ...report, complete: false }, 'f.bin')).toEqual([
      'incomplete but clean',
      'incomplete without a finding saying why'
    ]);
    expect(inconsistencies({ ...report, findings: [finding] }, 'f.bin')).toEqual([
      'verdict clean but findings say high',
      'clean with findings'
    ]);
    expect(inconsistencies({ ...report, verdict: 'high', findings: [finding] }, 'other.bin')).toEqual([
      'x.y points into f.bin, not other.bin'
    ]);
  });

  for (const [n, path] of files.entries()) {
    const name = relative(FIXTURES, path);
    it(`${name}: truncated or corrupted copies give a report, never a crash`, async () => {
      const original = new Uint8Array(readFileSync(path));
      for (const m of mutations(original, n + 1)) {
        const report = await scanSource(memorySource(m.bytes, name.split('/').pop())).catch((err: Error) => {
          throw new Error(`${name}, ${m.what}: scanSource threw ${err.stack}`);
        });
        expect(inconsistencies(report, name.split('/').pop()!), `${name}, ${m.what}`).toEqual([]);
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
