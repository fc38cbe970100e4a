import type { Location, Result } from 'sarif';
import { LEVEL, SECURITY_SEVERITY } from '../report/sarif';
import { pathUri, sarifLog, SarifRules } from '../report/sarif-log';
import type { AuditReport, FixSuggestion } from './audit';
import { vulnLevel } from './merge-vulns';
import type { DeclaredAt } from './types';

const NOT_AUDITED = 'deps/not-audited';

function location(at: DeclaredAt | undefined): Location[] {
  if (!at) return [];
  return [
    {
      physicalLocation: {
        artifactLocation: { uri: pathUri(at.file) },
        ...(at.line ? { region: { startLine: at.line } } : {})
      }
    }
  ];
}

function fixText(fix: FixSuggestion | undefined): string {
  if (!fix) return '';
  return 'newVersion' in fix ? ` Upgrade to ${fix.newVersion}.` : ` No fix: ${fix.skipReason}.`;
}

/** SARIF 2.1.0 for a dependency audit: one rule per vulnerability, one result per affected package, notes for what was not audited. */
export function auditToSarif(report: AuditReport) {
  const rules = new SarifRules();
  const results: Result[] = [];
  for (const pkg of report.audited) {
    const fix = report.fixes.find((f) => f.name === pkg.name);
    for (const v of pkg.vulns) {
      const level = vulnLevel(v);
      const ruleIndex = rules.indexOf(v.id, () => ({
        id: v.id,
        shortDescription: { text: v.summary ?? v.id },
        helpUri: `https://osv.dev/vulnerability/${encodeURIComponent(v.id)}`,
        defaultConfiguration: { level: LEVEL[level] },
        properties: {
          'security-severity':
            v.severity?.score !== undefined ? v.severity.score.toFixed(1) : SECURITY_SEVERITY[level],
          tags: ['security', 'dependency', ...v.aliases]
        }
      }));
      results.push({
        ruleId: v.id,
        ruleIndex,
        level: LEVEL[level],
        message: {
          text: `${pkg.name} ${pkg.version} is affected by ${v.id}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}: ${v.summary ?? v.description.slice(0, 300)}.${fixText(fix)}`
        },
        locations: location(pkg.dependency.declaredAt[0]),
        properties: {
          package: pkg.name,
          version: pkg.version,
          severity: v.severity?.level ?? 'unknown',
          fixVersions: v.fixVersions,
          aliases: v.aliases
        }
      });
    }
  }
  if (report.skipped.length > 0) {
    const ruleIndex = rules.indexOf(NOT_AUDITED, () => ({
      id: NOT_AUDITED,
      shortDescription: { text: 'Dependency not audited' },
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['dependency'] }
    }));
    for (const d of report.skipped) {
      results.push({
        ruleId: NOT_AUDITED,
        ruleIndex,
        level: 'note',
        message: { text: `${d.displayName}: ${d.skipReason}` },
        locations: location(d.declaredAt[0]),
        properties: { package: d.name, specifier: d.specifier }
      });
    }
  }
  return sarifLog({ rules: rules.list, properties: { vulnerabilitySource: report.source }, results });
}
