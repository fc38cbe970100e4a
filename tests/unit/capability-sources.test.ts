import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, sharedPath } from '../shared-fixtures';
import { belowHigh, BELOW_HIGH_REASONS, readPeerRows, renderCapabilityNote } from './capability-note';

const NOTE = join(import.meta.dirname, '../../src/lib/core/formats/pickle/capabilities.md');

describeShared("capability table against the peer scanners' lists", () => {
  const lists = sharedPath('reference', 'lists');

  it('rates every name the peers call dangerous high or critical, or records why not', () => {
    const unexplained = [...belowHigh(readPeerRows(lists)).keys()].filter((k) => !(k in BELOW_HIGH_REASONS));
    expect(unexplained).toEqual([]);
  });

  it('keeps capabilities.md (which entries came from where) up to date', () => {
    const note = renderCapabilityNote(lists);
    if (process.env.SAFELOAD_WRITE_NOTES === '1') writeFileSync(NOTE, note);
    expect(readFileSync(NOTE, 'utf8')).toBe(note);
  });
});
