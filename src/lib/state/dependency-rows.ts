import type { AuditReport, FixSuggestion } from '../core/deps/audit';
import { vulnLevel, type AuditedVuln } from '../core/deps/merge-vulns';
import type { Dependency } from '../core/deps/types';
import { severityRank } from '../core/findings';

export interface PackageRow {
  key: string;
  dependency: Dependency;
  /** Audited against OSV when pinned; otherwise skipReason says what would be needed. */
  pinned: boolean;
  /** Null until a check ran (or when not auditable). */
  vulns: AuditedVuln[] | null;
  fix?: FixSuggestion;
}

function worst(vulns: readonly AuditedVuln[] | null): number {
  return Math.max(-1, ...(vulns ?? []).map((v) => severityRank(vulnLevel(v))));
}

/** One row per collected dependency with its audit result; vulnerable packages first, worst first. */
export function packageRows(deps: readonly Dependency[], report: AuditReport | null): PackageRow[] {
  const audited = new Map(report?.audited.map((p) => [`${p.name}@${p.version}`, p]) ?? []);
  const rows = deps.map((d, i) => {
    const pinned = d.version !== undefined && !d.skipReason;
    const result = pinned ? audited.get(`${d.name}@${d.version}`) : undefined;
    return {
      key: `${d.name}@${d.version ?? ''}#${i}`,
      dependency: d,
      pinned,
      vulns: result ? result.vulns : null,
      fix: result?.vulns.length ? report?.fixes.find((f) => f.name === d.name) : undefined
    };
  });
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => worst(b.row.vulns) - worst(a.row.vulns) || a.i - b.i)
    .map(({ row }) => row);
}
