import type { AuditReport } from './audit';

export type PipAuditDependency =
  | {
      name: string;
      version: string;
      vulns: { id: string; fix_versions: string[]; aliases: string[]; description: string }[];
    }
  | { name: string; skip_reason: string };

export type PipAuditFix =
  | { name: string; old_version: string; new_version: string }
  | { name: string; version: string; skip_reason: string };

export interface PipAuditJson {
  dependencies: PipAuditDependency[];
  fixes: PipAuditFix[];
}

/** The JSON shape `pip-audit -f json` prints, so existing tooling can read Safeload's results. */
export function toPipAuditJson(report: AuditReport): PipAuditJson {
  return {
    dependencies: [
      ...report.audited.map((p) => ({
        name: p.name,
        version: p.version,
        vulns: p.vulns.map((v) => ({
          id: v.id,
          fix_versions: v.fixVersions,
          aliases: v.aliases,
          description: v.description
        }))
      })),
      ...report.skipped.map((d) => ({ name: d.name, skip_reason: d.skipReason ?? 'not audited' }))
    ],
    fixes: report.fixes.map((f) =>
      'newVersion' in f
        ? { name: f.name, old_version: f.oldVersion, new_version: f.newVersion }
        : { name: f.name, version: f.version, skip_reason: f.skipReason }
    )
  };
}
