import { writeFile } from 'node:fs/promises';
import { formatLocationPath, severityRank, type FileReport } from '../core/findings';
import { applyFolderChecks } from '../core/folder/cross-check';
import { terminalText } from '../core/report/escape';
import { toJsonReport } from '../core/report/json';
import { toSarif } from '../core/report/sarif';
import { analyseFile } from '../node/analyse-file';
import { checkExternalDataLinks } from '../node/external-links';
import { walkPaths } from '../node/walk';
import { parseScanArgs } from './args';
import { EXIT, type Io } from './io';

function describe(report: FileReport): string {
  const lines = [
    `${report.verdict.toUpperCase().padEnd(8)} ${report.path}  (${report.formats.join(', ') || 'unknown'})`
  ];
  if (!report.complete) lines.push('         ! not fully analysed');
  for (const f of report.findings) {
    const where =
      formatLocationPath(f.location.path) + (f.location.offset !== undefined ? ` @${f.location.offset}` : '');
    lines.push(`  - [${f.severity}] ${f.title} (${f.ruleId}) ${where}`);
  }
  // Names, titles and member paths are file data: each line is escaped, so none can forge another line.
  return lines.map(terminalText).join('\n');
}

export async function scanCommand(argv: string[], io: Io): Promise<number> {
  const args = parseScanArgs(argv);
  const { files, problems } = await walkPaths(args.paths);
  const missing = problems.filter((p) => args.paths.includes(p.path));
  if (missing.length > 0) {
    for (const p of missing) io.err(`safeload: ${p.path}: ${p.message}`);
    return EXIT.usage;
  }
  for (const p of problems) io.err(`safeload: skipped ${p.path}: ${p.message}`);
  const scanned: FileReport[] = [];
  let ioFailed = false;
  for (const file of files) {
    try {
      scanned.push(await analyseFile(file.fsPath, file.displayPath));
    } catch (err) {
      ioFailed = true;
      io.err(`safeload: ${file.displayPath}: ${(err as Error).message}`);
    }
  }
  const fsPaths = new Map(files.map((f) => [f.displayPath, f.fsPath]));
  const reports = await checkExternalDataLinks(applyFolderChecks(scanned), (p) => fsPaths.get(p));
  if (!args.json) for (const report of reports) io.out(describe(report));
  if (args.json) io.out(JSON.stringify(toJsonReport(reports), null, 2));
  if (args.sarif) await writeFile(args.sarif, JSON.stringify(toSarif(reports), null, 2));
  if (ioFailed) return EXIT.usage;
  const threshold = severityRank(args.failOn);
  const failing = reports.filter((r) => severityRank(r.verdict) >= threshold);
  if (!args.json) {
    io.err(`${reports.length} file(s) scanned; ${failing.length} at or above ${args.failOn}.`);
  }
  return failing.length > 0 ? EXIT.fail : EXIT.ok;
}
