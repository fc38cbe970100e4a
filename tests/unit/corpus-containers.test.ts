import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { scanSource } from '../../src/lib/core/scan';
import { openFileSource } from '../../src/lib/node/file-source';
import { readCorpusExceptions } from './corpus-exceptions';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
/** Containers and pickle-carrying binaries; safetensors, GGUF, ONNX, Keras, pb, JSON and templates come later. */
const CONTAINER_FILE = /\.(zip|pt|pth|npy|npz|bin|7z|tar|tgz|gz|joblib|skops)$/;

type Label = 'malicious' | 'benign' | 'suspicious' | 'error';
const rows = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file, , , , label]) => ({ file, label: label as Label }))
  .filter((r) => CONTAINER_FILE.test(r.file));

function agrees(label: Label, r: FileReport): boolean {
  const rank = severityRank(r.verdict);
  if (label === 'malicious') return rank >= severityRank('high');
  if (label === 'benign') return rank < severityRank('high');
  if (label === 'suspicious') return rank >= severityRank('medium');
  return !r.complete && r.verdict !== 'clean';
}

const exceptions = new Map([...readCorpusExceptions()].filter(([, e]) => e.section === 'Containers'));
const tally = new Map<string, { total: number; agreed: number }>();

describe('peer corpus: containers', () => {
  it('covers the container samples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
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
        expect(ok, `listed in ## Containers but now agrees with "${row.label}": remove the row`).toBe(false);
        expect(report.verdict).toBe(exception.verdict);
      } else {
        expect(ok, `label ${row.label} but ${summary}`).toBe(true);
      }
      if (row.label === 'error' || row.label === 'malicious') expect(report.verdict).not.toBe('clean');
    });
  }

  afterAll(() => {
    const lines = [...tally].sort().map(([k, v]) => `${k}: ${v.agreed}/${v.total}`);
    console.log(`container corpus agreement\n${lines.join('\n')}`);
  });
});
