import { maxVerdict, shorten, type FileReport, type Finding } from '../findings';

const WHAT: Record<string, string> = {
  'external-data': 'tensor data stored outside the model file',
  shard: 'a weight shard named in the index',
  'remote-code': 'Python code that config.json maps model classes to'
};

/** Resolves `target` against the folder of `from`; undefined when it leaves the dropped root. */
export function resolveRelative(from: string, target: string): string | undefined {
  if (target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target)) return undefined;
  const parts = from.split('/').slice(0, -1);
  for (const segment of target.replaceAll('\\', '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(segment);
  }
  return parts.join('/');
}

function finding(
  report: FileReport,
  ruleId: string,
  severity: Finding['severity'],
  title: string,
  message: string,
  target: string
): Finding {
  return {
    ruleId,
    severity,
    title,
    message,
    format: 'folder',
    location: { path: [report.path] },
    evidence: { details: { target: shorten(target, 200) } }
  };
}

/**
 * A dropped folder is one model: checks what files say about each other (index against shards, external
 * data present, remote code present). Returns the reports with folder findings added to the referring file.
 */
export function applyFolderChecks(reports: readonly FileReport[]): FileReport[] {
  const byPath = new Map(reports.map((r) => [r.path, r]));
  return reports.map((report) => {
    const added: Finding[] = [];
    for (const ref of report.references ?? []) {
      const resolved = resolveRelative(report.path, ref.target);
      if (resolved === undefined) continue; // the format scanner already reports paths that leave the folder
      const target = byPath.get(resolved);
      const what = WHAT[ref.kind] ?? `a file it refers to (${ref.kind})`;
      if (!target) {
        added.push(
          finding(
            report,
            `folder.missing.${ref.kind}`,
            'medium',
            `Referenced file not in the drop: ${shorten(ref.target, 80)}`,
            `This file refers to ${what}, which is not among the files checked. Loading will fail, or read a file Safeload has not seen.`,
            ref.target
          )
        );
        continue;
      }
      for (const [key, expected] of Object.entries(ref.expect ?? {})) {
        const actual = target.facts?.[key];
        if (actual !== undefined && actual !== expected) {
          added.push(
            finding(
              report,
              `folder.mismatch.${ref.kind}`,
              'medium',
              `${shorten(ref.target, 80)} does not match what this file says`,
              `Expected ${key} = ${expected}, but the file has ${String(actual)}. The files were changed or mixed from different models.`,
              ref.target
            )
          );
        }
      }
    }
    if (added.length === 0) return report;
    const verdict = added.reduce((v, f) => maxVerdict(v, f.severity), report.verdict);
    return { ...report, findings: [...report.findings, ...added], verdict };
  });
}
