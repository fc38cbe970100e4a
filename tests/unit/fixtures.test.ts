import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { SEVERITIES, type FileReport } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';

const DIR = join(import.meta.dirname, '../fixtures/models');

interface Case {
  file: string;
  verdict: string;
  formats: string[];
  expect?: string;
  complete?: boolean;
  /** Findings per severity (a severity not listed: none). */
  findings: Record<string, number>;
  pending?: string;
  countsPending?: string;
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

function countsOf(report: FileReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

function check(report: FileReport, c: Case): void {
  const ruleIds = JSON.stringify(report.findings.map((f) => `${f.severity} ${f.ruleId}`));
  expect(report.verdict, ruleIds).toBe(c.verdict);
  for (const format of c.formats) expect(report.formats).toContain(format);
  if (c.expect) expect(mentions(report, c.expect), `no finding mentions ${c.expect}`).toBe(true);
  expect(report.complete).toBe(c.complete ?? true);
  if (c.countsPending) expect(countsOf(report), `still pending: ${c.countsPending}`).not.toEqual(c.findings);
  else expect(countsOf(report), ruleIds).toEqual(c.findings);
}

describe('container fixtures (cases.json, full registry)', () => {
  it('states the finding counts of every case, by known severities', () => {
    for (const c of cases)
      expect(
        Object.keys(c.findings ?? { missing: 1 }).every((s) => (SEVERITIES as readonly string[]).includes(s)),
        c.file
      ).toBe(true);
  });

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
