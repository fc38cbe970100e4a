import type { AuditReport } from '../deps/audit';
import type { CollectedDependencies } from '../deps/collect';
import type { AuditedVuln } from '../deps/merge-vulns';
import type { TriageDependencies, TriageVuln } from './types';

export interface DependencyInput {
  collected: CollectedDependencies;
  /** Absent when no vulnerability source was available (then notAuditedReason says why). */
  audit?: AuditReport | null;
  notAuditedReason?: string;
}

function triageVuln(v: AuditedVuln): TriageVuln {
  return {
    id: v.id,
    aliases: v.aliases,
    severity: v.severity ? v.severity.level.toUpperCase().replace('INFO', 'LOW') : 'UNKNOWN',
    score: v.severity?.score ?? null,
    fixed: v.fixVersions,
    summary: (v.summary ?? v.description).slice(0, 300)
  };
}

export function triageDependencies(input: DependencyInput | undefined): TriageDependencies {
  if (!input) {
    return {
      inputs: [],
      audited: false,
      source: null,
      notAuditedReason: 'no dependency files were looked at',
      packages: [],
      skipped: []
    };
  }
  const { collected, audit } = input;
  const skipped = (
    audit?.skipped ?? collected.dependencies.filter((d) => d.version === undefined || d.skipReason)
  ).map((d) => ({
    name: d.name,
    specifier: d.specifier,
    reason: d.skipReason ?? 'not pinned to one version'
  }));
  const fixes = new Map(
    (audit?.fixes ?? []).flatMap((f) =>
      'newVersion' in f ? [[`${f.name}@${f.oldVersion}`, f.newVersion]] : []
    )
  );
  const packages = audit
    ? audit.audited.map((p) => ({
        name: p.name,
        version: p.version,
        purl: `pkg:pypi/${p.name}@${p.version}`,
        declaredIn: [...new Set(p.dependency.declaredAt.map((d) => d.file))],
        vulns: p.vulns.map(triageVuln),
        fixVersion: fixes.get(`${p.name}@${p.version}`) ?? null
      }))
    : collected.dependencies
        .filter((d) => d.version !== undefined && !d.skipReason)
        .map((d) => ({
          name: d.name,
          version: d.version!,
          purl: `pkg:pypi/${d.name}@${d.version}`,
          declaredIn: [...new Set(d.declaredAt.map((a) => a.file))],
          vulns: [],
          fixVersion: null
        }));
  return {
    inputs: collected.inputs.map((i) => i.path),
    audited: Boolean(audit),
    source: audit?.source ?? null,
    notAuditedReason: audit ? null : (input.notAuditedReason ?? 'no vulnerability database was given'),
    packages,
    skipped
  };
}
