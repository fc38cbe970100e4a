import { severityRank, type Verdict } from '../findings';

/** The scan's answer for a set of files, shown beside any integrity check of the same files. */
export interface SafetySummary {
  files: number;
  /** Files whose scan finished; the others have no verdict yet (or could not be read). */
  scanned: number;
  counts: Partial<Record<Verdict, number>>;
  /** The most severe verdict among the scanned files; null before any finished. */
  worst: Verdict | null;
  /** Files at medium or above: not known to be safe to load. */
  attention: number;
}

export function safetySummary(verdicts: readonly (Verdict | null | undefined)[]): SafetySummary {
  const counts: Partial<Record<Verdict, number>> = {};
  let worst: Verdict | null = null;
  let scanned = 0;
  for (const v of verdicts) {
    if (!v) continue;
    scanned++;
    counts[v] = (counts[v] ?? 0) + 1;
    if (worst === null || severityRank(v) > severityRank(worst)) worst = v;
  }
  const attention = (['medium', 'high', 'critical'] as const).reduce((n, v) => n + (counts[v] ?? 0), 0);
  return { files: verdicts.length, scanned, counts, worst, attention };
}

const ORDER: Verdict[] = ['critical', 'high', 'medium', 'low', 'info', 'clean'];

/** "1 critical, 1 clean", most severe first. */
export function verdictCounts(s: SafetySummary): string {
  return ORDER.filter((v) => s.counts[v])
    .map((v) => `${s.counts[v]} ${v}`)
    .join(', ');
}

/** The headline: what the scan says about loading these files. */
export function safetyHeadline(s: SafetySummary): string {
  if (s.files === 0) return 'No files';
  if (s.scanned === 0) return 'Not scanned yet';
  const rest = s.scanned < s.files ? `; ${s.files - s.scanned} not scanned` : '';
  if (s.worst === 'critical' || s.worst === 'high') return `Do not load: ${verdictCounts(s)}${rest}`;
  if (s.attention > 0) return `Not known to be safe: ${verdictCounts(s)}${rest}`;
  return `${s.scanned === s.files ? `All ${s.files}` : `${s.scanned} of ${s.files}`} scanned, nothing above low${rest}`;
}
