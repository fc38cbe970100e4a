import type { AuditReport } from '../core/deps/audit';
import { terminalText } from '../core/report/escape';
import type { OsvDatabaseInfo } from '../core/deps/osv-database';
import type { InputProblem } from '../core/deps/types';

function where(at: { file: string; line?: number }[]): string {
  return at.map((a) => (a.line ? `${a.file}:${a.line}` : a.file)).join(', ');
}

/** The human-readable audit summary printed when neither --json nor another stdout format is asked for. */
export function describeAudit(
  report: AuditReport,
  problems: readonly InputProblem[],
  db: OsvDatabaseInfo | null
): string {
  const lines: string[] = [];
  for (const pkg of report.audited) {
    if (pkg.vulns.length === 0) continue;
    lines.push(`${pkg.name} ${pkg.version}  (${where(pkg.dependency.declaredAt)})`);
    for (const v of pkg.vulns) {
      const sev = v.severity
        ? `${v.severity.level}${v.severity.score !== undefined ? ` ${v.severity.score.toFixed(1)}` : ''}`
        : 'unrated, counts as high';
      const aliases = v.aliases.length ? ` (${v.aliases.join(', ')})` : '';
      const fixed = v.fixVersions.length
        ? ` — fixed in ${v.fixVersions.join(', ')}`
        : ' — no fixed version known';
      lines.push(
        `  - [${sev}] ${v.id}${aliases}: ${(v.summary ?? v.description).split('\n')[0].slice(0, 160)}${fixed}`
      );
    }
    const fix = report.fixes.find((f) => f.name === pkg.name);
    if (fix)
      lines.push(
        'newVersion' in fix ? `  upgrade: ${pkg.name}==${fix.newVersion}` : `  no upgrade: ${fix.skipReason}`
      );
  }
  const clean = report.audited.filter((p) => p.vulns.length === 0).length;
  if (report.skipped.length > 0) {
    lines.push('Not audited:');
    for (const d of report.skipped)
      lines.push(`  ${d.displayName} (${where(d.declaredAt)}): ${d.skipReason}`);
  }
  for (const p of problems) lines.push(`! ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  const vulnerable = report.audited.length - clean;
  const source = db
    ? `offline OSV database (${db.records} records, newest modified ${db.newestModified ?? 'unknown'})`
    : 'osv.dev';
  lines.push(
    `${report.audited.length} package(s) audited against ${source}: ${vulnerable} vulnerable, ${clean} with no known vulnerability; ${report.skipped.length} not audited.`
  );
  // Package names, advisory texts and file names are data: every line is escaped as one terminal line.
  return lines.map(terminalText).join('\n');
}
