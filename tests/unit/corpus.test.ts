import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';
import { openFileSource } from '../../src/lib/node/file-source';
import { describeShared, sharedPath } from '../shared-fixtures';
import { readCorpusExceptions } from './corpus-exceptions';

const CORPUS = sharedPath('corpus');
const HIGH = severityRank('high');
const MEDIUM = severityRank('medium');

interface Row {
  file: string;
  label: 'malicious' | 'benign' | 'suspicious' | 'error';
}

function readRows(): Row[] {
  return readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([file, , , , label]) => ({ file, label: label as Row['label'] }));
}

/** Does the report agree with the label its authors assert? */
function agrees(label: Row['label'], r: FileReport): boolean {
  const rank = severityRank(r.verdict);
  switch (label) {
    case 'malicious':
      return rank >= HIGH;
    case 'benign':
      return rank < HIGH;
    case 'suspicious':
      return rank >= MEDIUM;
    case 'error':
      return !r.complete && r.verdict !== 'clean';
  }
}

const tally = new Map<string, { total: number; agreed: number }>();

async function scanCorpusFile(file: string): Promise<FileReport> {
  const { source, close } = await openFileSource(join(CORPUS, file), file.split('/').pop());
  try {
    return await scanSource(source);
  } finally {
    await close();
  }
}

describeShared('peer corpus', () => {
  const rows = readRows();
  const exceptions = readCorpusExceptions();

  it('has the samples (corpus/ in the fixture set)', () => {
    expect(rows.length).toBeGreaterThan(300);
  });

  it('lists only files that exist in the corpus as exceptions', () => {
    const known = new Set(rows.map((r) => r.file));
    expect([...exceptions.keys()].filter((f) => !known.has(f))).toEqual([]);
  });

  for (const row of rows) {
    it(`${row.label}: ${row.file}`, async () => {
      const report = await scanCorpusFile(row.file);
      const ok = agrees(row.label, report);
      const key = `${row.file.split('/')[0]} ${row.label}`;
      const t = tally.get(key) ?? { total: 0, agreed: 0 };
      tally.set(key, { total: t.total + 1, agreed: t.agreed + (ok ? 1 : 0) });
      const exception = exceptions.get(row.file);
      const summary = `${report.verdict}${report.complete ? '' : ' (incomplete)'}: ${report.findings
        .map((f) => `${f.severity} ${f.ruleId}`)
        .slice(0, 5)
        .join('; ')}`;
      if (exception) {
        expect(ok, `listed as an exception but now agrees with "${row.label}" — remove the row`).toBe(false);
        expect(report.verdict, `exception row says our verdict is ${exception.verdict}`).toBe(
          exception.verdict
        );
      } else {
        expect(ok, `label ${row.label} but ${summary}`).toBe(true);
      }
    });
  }

  afterAll(() => {
    const lines = [...tally.entries()].sort().map(([k, v]) => `${k}: ${v.agreed}/${v.total} agree`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/corpus-summary.txt', `${lines.join('\n')}\n`);
  });
});
