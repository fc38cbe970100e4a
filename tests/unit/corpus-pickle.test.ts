import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { pickleFormat } from '../../src/lib/core/formats/pickle';
import { probeSource, scanSource } from '../../src/lib/core/scan';
import { readCorpusExceptions } from './corpus-exceptions';

/** The peer corpus through the pickle format alone: every raw pickle (by extension or by sniffing). */
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
type Label = 'malicious' | 'benign' | 'suspicious' | 'error';

const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file, , , , label]) => ({
    file,
    label: label as Label,
    bytes: new Uint8Array(readFileSync(join(CORPUS, file)))
  }));

const exceptions = new Map([...readCorpusExceptions()].filter(([, e]) => e.section === 'Pickle'));
const tally = new Map<string, { total: number; agreed: number }>();

function agrees(label: Label, r: FileReport): boolean {
  const rank = severityRank(r.verdict);
  if (label === 'malicious') return rank >= severityRank('high');
  if (label === 'benign') return rank < severityRank('high');
  if (label === 'suspicious') return rank >= severityRank('medium');
  return !r.complete && r.verdict !== 'clean';
}

const pickles = await (async () => {
  const out: typeof rows = [];
  for (const row of rows) {
    const src = memorySource(row.bytes, row.file.split('/').pop());
    if (/\.(pkl|pickle)$/.test(row.file) || pickleFormat.sniff(await probeSource(src))) out.push(row);
  }
  return out;
})();

describe('peer corpus, raw pickles', () => {
  it('finds the raw pickles of the corpus', () => {
    expect(pickles.length).toBeGreaterThan(150);
  });

  it('lists only raw pickles as Pickle exceptions', () => {
    const known = new Set(pickles.map((r) => r.file));
    expect([...exceptions.keys()].filter((f) => !known.has(f))).toEqual([]);
  });

  for (const row of pickles) {
    it(`${row.label}: ${row.file}`, async () => {
      const report = await scanSource(memorySource(row.bytes, row.file.split('/').pop()), {
        formats: [pickleFormat]
      });
      const ok = agrees(row.label, report);
      const key = `${row.file.split('/')[0]} ${row.label}`;
      const t = tally.get(key) ?? { total: 0, agreed: 0 };
      tally.set(key, { total: t.total + 1, agreed: t.agreed + (ok ? 1 : 0) });
      const exception = exceptions.get(row.file);
      const summary = `${report.verdict}${report.complete ? '' : ' (incomplete)'}: ${report.findings.map((f) => `${f.severity} ${f.ruleId}`).join('; ')}`;
      if (exception) {
        expect(ok, `listed as an exception but now agrees with "${row.label}" — remove the row`).toBe(false);
        expect(report.verdict).toBe(exception.verdict);
      } else {
        expect(ok, `label ${row.label} but ${summary}`).toBe(true);
      }
    });
  }

  afterAll(() => {
    const lines = [...tally.entries()].sort().map(([k, v]) => `${k}: ${v.agreed}/${v.total} agree`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/corpus-pickle-summary.txt', `${lines.join('\n')}\n`);
  });
});
