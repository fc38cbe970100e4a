import type { Verdict } from '../core/findings';
import { primaryFormat } from '../core/triage/file-facts';
import type { FileJob } from './file-job';

/** What a row stands for in the triage header: its verdict once scanned, else its state. */
export type Triage = Verdict | 'unreadable' | 'cancelled' | 'pending';

/** Most urgent first: the order of the header's chips and of the "risk" sort. */
export const TRIAGE_ORDER: readonly Triage[] = [
  'critical',
  'high',
  'unreadable',
  'cancelled',
  'medium',
  'low',
  'info',
  'clean',
  'pending'
];

export const TRIAGE_LABELS: Record<Triage, string> = {
  critical: 'Critical',
  high: 'High risk',
  unreadable: 'Could not read',
  cancelled: 'Cancelled',
  medium: 'Medium',
  low: 'Low',
  info: 'Info only',
  clean: 'No issues found',
  pending: 'In progress'
};

/** Needs an analyst before anyone loads it: medium or worse, or never fully checked (fail closed). */
const ATTENTION: ReadonlySet<Triage> = new Set(['critical', 'high', 'unreadable', 'cancelled', 'medium']);

export function triageOf(job: FileJob): Triage {
  if (job.state === 'error') return 'unreadable';
  if (job.state === 'cancelled') return 'cancelled';
  if (job.state !== 'done' || !job.report) return 'pending';
  return job.report.verdict;
}

export function needsAttention(t: Triage): boolean {
  return ATTENTION.has(t);
}

/** The format a row is filtered by: its main model format, 'unknown' when none was recognised. */
export function formatOf(job: FileJob): string {
  return job.report ? primaryFormat(job.report.formats) : '';
}

export interface TriageCounts {
  total: number;
  settled: number;
  attention: number;
  by: Record<Triage, number>;
  /** Formats present, most frequent first. */
  formats: { format: string; count: number }[];
}

export function countTriage(jobs: readonly FileJob[]): TriageCounts {
  const by = Object.fromEntries(TRIAGE_ORDER.map((t) => [t, 0])) as Record<Triage, number>;
  const formats = new Map<string, number>();
  let attention = 0;
  for (const job of jobs) {
    const t = triageOf(job);
    by[t]++;
    if (needsAttention(t)) attention++;
    const format = formatOf(job);
    if (format) formats.set(format, (formats.get(format) ?? 0) + 1);
  }
  return {
    total: jobs.length,
    settled: jobs.length - by.pending,
    attention,
    by,
    formats: [...formats]
      .map(([format, count]) => ({ format, count }))
      .sort((a, b) => b.count - a.count || a.format.localeCompare(b.format))
  };
}

export type SortKey = 'risk' | 'name' | 'size' | 'added';

export const SORT_LABELS: Record<SortKey, string> = {
  risk: 'Most dangerous first',
  name: 'Name',
  size: 'Largest first',
  added: 'Order added'
};

export interface FileViewOptions {
  /** Chips switched on; none means every row. */
  triage: ReadonlySet<Triage>;
  /** '' means every format. */
  format: string;
  /** Case-insensitive part of the path. */
  name: string;
  sort: SortKey;
}

export const DEFAULT_VIEW: FileViewOptions = { triage: new Set(), format: '', name: '', sort: 'risk' };

const RANK = new Map(TRIAGE_ORDER.map((t, i) => [t, i]));

/**
 * Folder by folder, names in code-unit order: the order `safeload scan` walks a folder in. Compared in place
 * (no splitting): where two paths first differ, the one whose name ends there (end or "/") comes first.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const rank = (s: string) => (i >= s.length ? -2 : s.charCodeAt(i) === 0x2f ? -1 : s.charCodeAt(i));
  return rank(a) - rank(b);
}

const byPath = (a: FileJob, b: FileJob) => comparePaths(a.path, b.path);

const COMPARE: Record<Exclude<SortKey, 'risk'>, (a: FileJob, b: FileJob) => number> = {
  name: byPath,
  size: (a, b) => b.size - a.size || byPath(a, b),
  added: (a, b) => a.id - b.id
};

/**
 * The rows to list, filtered and sorted. A plain array in display order, so the list that renders it can
 * render any window of it (virtualised) without knowing how it was chosen.
 */
export function viewJobs(jobs: readonly FileJob[], options: FileViewOptions): FileJob[] {
  const name = options.name.trim().toLowerCase();
  const rows = jobs.filter(
    (job) =>
      (options.triage.size === 0 || options.triage.has(triageOf(job))) &&
      (!options.format || formatOf(job) === options.format) &&
      (!name || job.path.toLowerCase().includes(name))
  );
  if (options.sort !== 'risk') return rows.sort(COMPARE[options.sort]);
  // Within a verdict, the order added: rows that finish one after another then stay in place instead of
  // moving through the list (measured: half the frame time of a path order while 1,200 files are read).
  return rows
    .map((job) => ({ job, rank: RANK.get(triageOf(job))! }))
    .sort((a, b) => a.rank - b.rank || a.job.id - b.job.id)
    .map((r) => r.job);
}
