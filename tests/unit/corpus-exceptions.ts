import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusException {
  file: string;
  label: string;
  verdict: string;
  why: string;
  section: string;
}

/** Parses the tables of tests/corpus-exceptions.md: `| file | label | our verdict | why |`. */
export function readCorpusExceptions(): Map<string, CorpusException> {
  const text = readFileSync(join(import.meta.dirname, '../corpus-exceptions.md'), 'utf8');
  const rows = new Map<string, CorpusException>();
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const cells = line.split('|').map((c) => c.trim());
    if (!section || cells.length < 6 || cells[1] === 'file' || cells[1].startsWith('---')) continue;
    const [file, label, verdict, why] = cells.slice(1, 5).map((c) => c.replace(/^`|`$/g, ''));
    if (file) rows.set(file, { file, label, verdict, why, section });
  }
  return rows;
}
