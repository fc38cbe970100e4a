import { describe, expect, it } from 'vitest';
import type { FileReport, Verdict } from '../core/findings';
import type { FileJob } from './file-job';
import { comparePaths, countTriage, DEFAULT_VIEW, triageOf, viewJobs } from './file-view';

let next = 1;
function job(path: string, patch: Partial<FileJob> = {}, verdict?: Verdict, formats = ['pickle']): FileJob {
  const report: FileReport | undefined = verdict
    ? { path, size: 10, formats, verdict, complete: true, findings: [] }
    : undefined;
  return {
    id: next++,
    path,
    size: 10,
    batch: 1,
    state: verdict ? 'done' : 'queued',
    done: 0,
    sha256: '',
    gitSha1: '',
    report,
    ...patch
  };
}

const jobs = [
  job('b/clean.safetensors', {}, 'clean', ['safetensors']),
  job('a/evil.pkl', {}, 'critical'),
  job('c/gone.bin', { state: 'error', error: 'gone' }),
  job('d/template.gguf', { size: 99 }, 'high', ['gguf']),
  job('e/odd.npy', {}, 'medium', ['numpy', 'pickle']),
  job('f/notes.txt', {}, 'info', []),
  job('g/waiting.bin')
];

describe('triage of the file list', () => {
  it('counts verdicts and what needs attention (unreadable files included, fail closed)', () => {
    const c = countTriage(jobs);
    expect(c.total).toBe(7);
    expect(c.settled).toBe(6);
    expect(c.attention).toBe(4); // critical, high, medium and the unreadable one
    expect(c.by).toMatchObject({
      critical: 1,
      high: 1,
      medium: 1,
      unreadable: 1,
      info: 1,
      clean: 1,
      pending: 1
    });
    expect(c.formats.map((f) => f.format)).toEqual(['gguf', 'numpy', 'pickle', 'safetensors', 'unknown']);
  });

  it('lists the most dangerous first, then in the order added', () => {
    expect(viewJobs(jobs, DEFAULT_VIEW).map(triageOf)).toEqual([
      'critical',
      'high',
      'unreadable',
      'medium',
      'info',
      'clean',
      'pending'
    ]);
  });

  it('filters by verdict chips, format and name together', () => {
    const view = (o: Partial<typeof DEFAULT_VIEW>) =>
      viewJobs(jobs, { ...DEFAULT_VIEW, ...o }).map((j) => j.path);
    expect(view({ triage: new Set(['critical', 'unreadable']) })).toEqual(['a/evil.pkl', 'c/gone.bin']);
    expect(view({ format: 'numpy' })).toEqual(['e/odd.npy']);
    expect(view({ name: 'GGUF' })).toEqual(['d/template.gguf']);
    expect(view({ triage: new Set(['clean']), name: 'evil' })).toEqual([]);
    expect(view({ sort: 'size' })[0]).toBe('d/template.gguf');
    expect(view({ sort: 'name' })).toEqual([...jobs.map((j) => j.path)].sort());
  });
});

describe('path order', () => {
  it('is the order safeload scan walks folders in: folder by folder, names by code unit', () => {
    const paths = ['a.txt', 'a/b', 'a/b.txt', 'a/b/c', 'A', 'a-b/x', 'a', 'ab'];
    const walk = (x: string, y: string) => {
      const p = x.split('/');
      const q = y.split('/');
      for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i] < q[i] ? -1 : 1;
      return p.length - q.length;
    };
    expect([...paths].sort(comparePaths)).toEqual([...paths].sort(walk));
    for (const x of paths)
      for (const y of paths) expect(Math.sign(comparePaths(x, y))).toBe(Math.sign(walk(x, y)));
  });
});
