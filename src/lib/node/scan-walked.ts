import { basename } from 'node:path';
import type { FileReport } from '../core/findings';
import type { MultiHasher } from '../core/hash/multi-digest';
import { analyseFile } from './analyse-file';
import type { WalkError, WalkedFile } from './walk';

/** The same report under another path (the file's findings point at it too). */
export function reportAt(report: FileReport, path: string): FileReport {
  if (report.path === path) return report;
  return {
    ...report,
    path,
    findings: report.findings.map((f) =>
      f.location.path[0] === report.path
        ? { ...f, location: { ...f.location, path: [path, ...f.location.path.slice(1)] } }
        : f
    )
  };
}

/**
 * Hashes and scans walked files, each real file once per name: a file reached under several paths (through
 * links) is reported under each, and a followed link records where it leads. Under another name it is scanned
 * again, since the name decides how it is read (a hub blob is `config.json` or `modeling.py` only by its
 * link). A file that cannot be read is an error, never a silent absence.
 */
export async function scanWalked(
  files: readonly WalkedFile[],
  options: { hasher: MultiHasher; pathOf?: (file: WalkedFile) => string }
): Promise<{ reports: FileReport[]; errors: WalkError[] }> {
  const byReal = new Map<string, FileReport>();
  const reports: FileReport[] = [];
  const errors: WalkError[] = [];
  for (const file of files) {
    const path = options.pathOf?.(file) ?? file.displayPath;
    const key = `${basename(path)}\0${file.realPath}`;
    let report = byReal.get(key);
    if (report) report = reportAt(report, path);
    else {
      try {
        report = await analyseFile(file.fsPath, path, { hasher: options.hasher });
      } catch (err) {
        errors.push({ path, message: (err as Error).message });
        continue;
      }
      byReal.set(key, report);
    }
    if (file.linkTarget !== undefined) {
      report = { ...report, facts: { ...report.facts, 'link target': file.linkTarget } };
    }
    reports.push(report);
  }
  return { reports, errors };
}
