import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import type { FileReport } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';

const DIR = join(import.meta.dirname, '../fixtures/models');

interface Case {
  file: string;
  verdict: string;
  /** How many findings the report lists: each pickle is analysed and reported once. */
  findings?: number;
  formats: string[];
  expect?: string;
  complete?: boolean;
  pending?: string;
}

const { cases } = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as { cases: Case[] };

async function scan(file: string): Promise<FileReport> {
  return scanSource(memorySource(new Uint8Array(readFileSync(join(DIR, file))), file));
}

function mentions(report: FileReport, needle: string): boolean {
  return report.findings.some(
    (f) =>
      f.ruleId.includes(needle) ||
      `${f.evidence.module}.${f.evidence.name}`.includes(needle) ||
      (f.evidence.imports ?? []).some((i) => i.includes(needle))
  );
}

function check(report: FileReport, c: Case): void {
  expect(report.verdict, JSON.stringify(report.findings.map((f) => f.ruleId))).toBe(c.verdict);
  for (const format of c.formats) expect(report.formats).toContain(format);
  if (c.expect) expect(mentions(report, c.expect), `no finding mentions ${c.expect}`).toBe(true);
  if (c.findings !== undefined) {
    expect(report.findings.map((f) => `${f.ruleId}@${f.format}`)).toHaveLength(c.findings);
  }
  expect(report.complete).toBe(c.complete ?? true);
}

describe('container fixtures (cases.json, full registry)', () => {
  it('lists every committed fixture', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'cases.json');
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
  });

  for (const c of cases) {
    if (c.pending) {
      it.fails(`${c.file} (pending: ${c.pending})`, async () => check(await scan(c.file), c));
    } else {
      it(`${c.file} → ${c.verdict}`, async () => check(await scan(c.file), c));
    }
  }
});
