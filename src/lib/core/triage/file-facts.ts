import { formatLocationPath, severityRank, type FileReport, type Finding } from '../findings';
import type { TriageFile, TriageFinding, TriagePickle } from './types';

/** Formats that only wrap or accompany the real one: a file's "format" is the first format not in this set. */
const GENERIC_FORMATS = new Set([
  'zip',
  'tar',
  'gzip',
  'bzip2',
  'xz',
  'lzma',
  'lz4',
  'zlib',
  'zstd',
  '7z',
  'pickle',
  'python-code',
  'config-file'
]);

export function primaryFormat(formats: readonly string[]): string {
  return formats.find((f) => !GENERIC_FORMATS.has(f)) ?? formats[0] ?? 'unknown';
}

/** Imports named by pickle findings at medium or above: the reason a pickle is not weights-only loadable. */
function unsafeImportsOf(findings: readonly Finding[]): string[] {
  const names = new Set<string>();
  for (const f of findings) {
    if (!f.ruleId.startsWith('pickle.') || severityRank(f.severity) < severityRank('medium')) continue;
    if (f.evidence.module !== undefined && f.evidence.name !== undefined)
      names.add(`${f.evidence.module}.${f.evidence.name}`);
    for (const listed of f.evidence.imports ?? []) names.add(listed);
  }
  return [...names].slice(0, 100);
}

export function pickleFacts(report: FileReport): TriagePickle {
  const present = report.formats.includes('pickle') || report.formats.includes('pytorch-legacy');
  if (!present) return { present: false, weightsOnly: false, unsafeImports: [] };
  const pickleIssues = report.findings.filter(
    (f) => f.ruleId.startsWith('pickle.') && severityRank(f.severity) >= severityRank('medium')
  );
  return {
    present,
    weightsOnly: report.complete && pickleIssues.length === 0,
    unsafeImports: unsafeImportsOf(report.findings)
  };
}

function triageFinding(f: Finding): TriageFinding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    format: f.format,
    location: formatLocationPath(f.location.path),
    offset: f.location.offset ?? null
  };
}

export function triageFile(report: FileReport): TriageFile {
  return {
    path: report.path,
    size: report.size,
    sha256: report.sha256 ?? null,
    gitSha1: report.gitSha1 ?? null,
    format: primaryFormat(report.formats),
    formats: [...report.formats],
    verdict: report.verdict,
    complete: report.complete,
    findings: report.findings.map(triageFinding),
    pickle: pickleFacts(report)
  };
}
