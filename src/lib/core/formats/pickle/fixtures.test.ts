import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { severityRank } from '../../findings';
import { verdictOf } from '../../../../../tests/unit/verdict-of';
import { scanSource } from '../../scan';
import { fixImports } from './compat';
import { scanPickleStream } from './index';
import { DEFAULT_LIMITS } from '../../limits';
import type { FindingInput, ScanContext } from '../types';

const DIR = join(import.meta.dirname, '../../../../../tests/fixtures/pickle');
const files = readdirSync(DIR).filter((f) => f.endsWith('.pkl'));

async function report(file: string) {
  const bytes = new Uint8Array(readFileSync(join(DIR, file)));
  return scanSource(memorySource(bytes, file), { formats: [] });
}

describe('real pickles written by CPython (tests/fixtures/make_pickle_fixtures.py)', () => {
  it('has the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(12));

  for (const file of files) {
    it(`${file}: imports match pickletools.genops`, async () => {
      const expected = JSON.parse(readFileSync(join(DIR, `${file}.imports.json`), 'utf8')) as {
        module: string;
        name: string;
        offset: number;
        opcode: string;
        proto: number;
      }[];
      const found: FindingInput[] = [];
      const ctx = {
        path: [file],
        depth: 0,
        limits: DEFAULT_LIMITS,
        report: (f: FindingInput) => found.push(f),
        incomplete: () => found.push({ ruleId: 'incomplete', severity: 'medium', title: '', message: '' })
      } as unknown as ScanContext;
      const result = await scanPickleStream(memorySource(new Uint8Array(readFileSync(join(DIR, file)))), ctx);
      expect(result.ok).toBe(true);
      expect(result.pickles).toBe(1);
      expect(result.imports).toEqual(
        expected.map((e) => {
          const [module, name] = e.proto < 3 ? fixImports(e.module, e.name) : [e.module, e.name];
          return { module, name, offset: e.offset, opcode: e.opcode };
        })
      );
    });
  }

  it.each(files.filter((f) => /^(plain|ordereddict|numpy)/.test(f)))('%s is clean', async (file) => {
    const r = await report(file);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('clean');
    expect(r.complete).toBe(true);
  });

  it('a pickled collections.Counter is medium (not on the safe list)', async () => {
    const r = await report('counter_p4.pkl');
    expect(r.verdict).toBe('medium');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['pickle.import.unknown']);
  });

  it.each(['os_system_ref_p0.pkl', 'os_system_ref_p4.pkl'])(
    '%s (a reference, never called) is high',
    async (file) => {
      const r = await report(file);
      expect(r.verdict).toBe('high');
      expect(r.findings[0]).toMatchObject({
        ruleId: 'pickle.import.dangerous',
        evidence: { module: 'posix', name: 'system' }
      });
      expect(severityRank(verdictOf(r.findings))).toBe(severityRank('high'));
    }
  );
});
