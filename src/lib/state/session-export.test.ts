import { describe, expect, it } from 'vitest';
import { memorySource } from '../core/bytes/byte-source';
import { scanSource } from '../core/scan';
import type { FileJob } from './file-job';
import { reportFileName, sessionJson, sessionSarif } from './session-export';

const EVIL = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");

async function done(id: number, path: string, bytes: Uint8Array): Promise<FileJob> {
  const report = await scanSource(memorySource(bytes, path));
  return {
    id,
    path,
    size: bytes.length,
    batch: 1,
    state: 'done',
    done: bytes.length,
    sha256: 'a'.repeat(64),
    gitSha1: 'b'.repeat(40),
    report
  };
}

describe('exports of the Check files page', () => {
  it('writes the CLI JSON for scanned files, and files that were not analysed as incomplete', async () => {
    const jobs: FileJob[] = [
      await done(1, 'm/evil.pkl', EVIL),
      {
        id: 2,
        path: 'm/gone.bin',
        size: 5,
        batch: 1,
        state: 'error',
        done: 0,
        sha256: '',
        gitSha1: '',
        error: 'The file could not be read.'
      },
      { id: 3, path: 'm/later.bin', size: 5, batch: 1, state: 'queued', done: 0, sha256: '', gitSha1: '' }
    ];
    const json = sessionJson(jobs);
    expect(json.files.map((f) => [f.path, f.verdict, f.complete])).toEqual([
      ['m/evil.pkl', 'critical', true],
      ['m/gone.bin', 'medium', false]
    ]);
    expect(json.files[0].sha256).toBe('a'.repeat(64));
    expect(json.files[0].findings[0].location.container).toEqual(['m/evil.pkl']);
    expect(json.files[1].findings[0].ruleId).toBe('scan.unreadable');
    const sarif = sessionSarif(jobs);
    expect(sarif.runs[0].results.map((r) => r.ruleId)).toContain('scan.unreadable');
    expect(sarif.runs[0].artifacts?.[0].hashes).toEqual({ 'sha-256': 'a'.repeat(64) });
  });

  it('names the files after the time of export', () => {
    expect(reportFileName(new Date('2026-03-01T10:05:09Z'), 'sarif')).toBe(
      'safeload-scan-2026-03-01T10-05.sarif'
    );
  });
});
