import type { Severity } from '../findings';
import { cvssScore, type CvssMethod } from './cvss';
import { entriesFor } from './version-match';
import type { OsvRecord, OsvSeverity } from './osv-record';

export interface VulnSeverity {
  level: Severity;
  /** 'cvss' when computed from a vector; 'advisory' when taken from the advisory's own rating. */
  from: 'cvss' | 'advisory';
  score?: number;
  vector?: string;
  method?: CvssMethod;
}

/** CVSS qualitative bands (v3/v4): 0 none, 0.1–3.9 low, 4–6.9 medium, 7–8.9 high, 9–10 critical. */
export function levelOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

const ADVISORY_LEVEL: Record<string, Severity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  LOW: 'low'
};
const METHOD_PREFERENCE: CvssMethod[] = ['CVSSv4', 'CVSSv31', 'CVSSv3', 'CVSSv2'];

/** The newest CVSS version among the record's (and the package entries') vectors, else the advisory's rating; null if neither. */
export function severityOf(record: OsvRecord, packageName?: string): VulnSeverity | null {
  const vectors: OsvSeverity[] = [
    ...(record.severity ?? []),
    ...(packageName ? entriesFor(record, packageName) : (record.affected ?? [])).flatMap(
      (a) => a.severity ?? []
    )
  ];
  const scored = vectors
    .filter((s) => typeof s?.score === 'string' && /^CVSS_V[234]$/.test(s.type))
    .map((s) => cvssScore(s.score))
    .filter((s) => s !== null)
    .sort((a, b) => METHOD_PREFERENCE.indexOf(a.method) - METHOD_PREFERENCE.indexOf(b.method));
  if (scored.length > 0) {
    const best = scored[0];
    return {
      level: levelOfScore(best.score),
      from: 'cvss',
      score: best.score,
      vector: best.vector,
      method: best.method
    };
  }
  const rating = record.database_specific?.severity;
  if (typeof rating === 'string' && ADVISORY_LEVEL[rating.toUpperCase()]) {
    return { level: ADVISORY_LEVEL[rating.toUpperCase()], from: 'advisory' };
  }
  return null;
}
