import { compare } from '@renovatebot/pep440';
import { severityRank, type Severity } from '../findings';
import type { OsvRecord } from './osv-record';
import { severityOf, type VulnSeverity } from './severity';
import { fixVersionsOf } from './version-match';

export interface AuditedVuln {
  /** Preferred id (PYSEC, then GHSA, then others); the ids of merged records are among the aliases. */
  id: string;
  aliases: string[];
  summary?: string;
  description: string;
  fixVersions: string[];
  severity: VulnSeverity | null;
  cwes: number[];
  references: { type: string; url: string }[];
  /** Ids of the OSV records merged into this entry. */
  records: string[];
  modified: string;
  published?: string;
}

/** The level a vulnerability counts as; an unrated one counts as high until someone rates it. */
export function vulnLevel(v: AuditedVuln): Severity {
  return v.severity?.level ?? 'high';
}

const MAX_DESCRIPTION = 4000;
const ID_PREFERENCE = ['PYSEC-', 'GHSA-'];

function idRank(id: string): number {
  const i = ID_PREFERENCE.findIndex((p) => id.startsWith(p));
  if (i >= 0) return i;
  return id.startsWith('CVE-') ? ID_PREFERENCE.length + 1 : ID_PREFERENCE.length;
}

function idsOf(r: OsvRecord): string[] {
  return [r.id, ...(r.aliases ?? []).filter((a) => typeof a === 'string')];
}

function strongest(list: (VulnSeverity | null)[]): VulnSeverity | null {
  let best: VulnSeverity | null = null;
  for (const s of list) {
    if (!s) continue;
    const better =
      !best ||
      severityRank(s.level) > severityRank(best.level) ||
      (s.level === best.level && s.from === 'cvss' && best.from !== 'cvss');
    if (better) best = s;
  }
  return best;
}

/** Groups records whose {id ∪ aliases} intersect (one advisory published by several databases) into one entry. */
export function mergeRecords(records: readonly OsvRecord[], packageName: string): AuditedVuln[] {
  const groups: OsvRecord[][] = [];
  for (const record of records) {
    const ids = new Set(idsOf(record));
    const touching = groups.filter((g) => g.some((r) => idsOf(r).some((id) => ids.has(id))));
    const merged = [record, ...touching.flat()];
    for (const g of touching) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups
    .map((group) => {
      const sorted = [...group].sort((a, b) => idRank(a.id) - idRank(b.id) || a.id.localeCompare(b.id));
      const lead = sorted[0];
      const allIds = [...new Set(sorted.flatMap(idsOf))];
      const described = sorted.find((r) => r.summary) ?? sorted.find((r) => r.details) ?? lead;
      const text = (described.summary || described.details || '').trim();
      const cwes = sorted.flatMap((r) => {
        const list = r.database_specific?.cwe_ids;
        return Array.isArray(list)
          ? list.map((c) => Number(/^CWE-(\d+)$/.exec(String(c))?.[1])).filter(Number.isInteger)
          : [];
      });
      return {
        id: lead.id,
        aliases: allIds.filter((id) => id !== lead.id).sort(),
        summary: described.summary,
        description: text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text,
        fixVersions: [...new Set(sorted.flatMap((r) => fixVersionsOf(r, packageName)))].sort(compare),
        severity: strongest(sorted.map((r) => severityOf(r, packageName))),
        cwes: [...new Set(cwes)].sort((a, b) => a - b),
        references: sorted
          .flatMap((r) => (r.references ?? []).filter((x) => typeof x?.url === 'string'))
          .slice(0, 50),
        records: sorted.map((r) => r.id),
        modified:
          sorted
            .map((r) => r.modified)
            .sort()
            .at(-1) ?? lead.modified,
        published: lead.published
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
