import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';
import { openFileSource } from '../../src/lib/node/file-source';
import { readCorpusExceptions } from './corpus-exceptions';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
/** safetensors, GGUF, standalone Jinja templates, and the JSON tokenizer configs / indexes that carry templates. */
const MY_FILE = /\.(safetensors|gguf|jinja|j2|template)$/;
const MY_JSON_NOTES = /chat template|template edge case|safetensors index/i;
const SECTION = 'Safetensors, GGUF, chat templates';

type Label = 'malicious' | 'benign' | 'suspicious' | 'error';
const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file, , , , label, notes]) => ({ file, label: label as Label, notes: notes ?? '' }))
  .filter((r) => MY_FILE.test(r.file) || (r.file.endsWith('.json') && MY_JSON_NOTES.test(r.notes)));

function agrees(label: Label, r: FileReport): boolean {
  const rank = severityRank(r.verdict);
  if (label === 'malicious') return rank >= severityRank('high');
  if (label === 'benign') return rank < severityRank('high');
  if (label === 'suspicious') return rank >= severityRank('medium');
  return !r.complete && r.verdict !== 'clean';
}

const exceptions = new Map([...readCorpusExceptions()].filter(([, e]) => e.section === SECTION));
const tally = new Map<string, { total: number; agreed: number }>();

describe('peer corpus: safetensors, GGUF, chat templates', () => {
  it('covers the samples of these formats', () => {
    expect(rows.length).toBeGreaterThanOrEqual(45);
  });

  it('lists only exceptions for files that exist in the corpus', () => {
    const files = new Set(rows.map((r) => r.file));
    for (const file of exceptions.keys()) expect(files.has(file), file).toBe(true);
  });

  for (const row of rows) {
    it(`${row.label}: ${row.file}`, async () => {
      const { source, close } = await openFileSource(join(CORPUS, row.file), row.file.split('/').pop());
      const report = await scanSource(source).finally(close);
      const ok = agrees(row.label, report);
      const key = `${row.file.split('/')[0]} ${row.label}`;
      const t = tally.get(key) ?? { total: 0, agreed: 0 };
      tally.set(key, { total: t.total + 1, agreed: t.agreed + (ok ? 1 : 0) });
      const summary = `${report.verdict}${report.complete ? '' : ' (incomplete)'}: ${report.findings.map((f) => `${f.severity} ${f.ruleId}`).join('; ')}`;
      const exception = exceptions.get(row.file);
      if (exception) {
        expect(ok, `listed in ## ${SECTION} but now agrees with "${row.label}": remove the row`).toBe(false);
        expect(report.verdict, summary).toBe(exception.verdict);
      } else {
        expect(ok, `label ${row.label} but ${summary}`).toBe(true);
      }
    });
  }

  afterAll(() => {
    const lines = [...tally].sort().map(([k, v]) => `${k}: ${v.agreed}/${v.total}`);
    console.log(`safetensors/gguf/template corpus agreement\n${lines.join('\n')}`);
  });
});
