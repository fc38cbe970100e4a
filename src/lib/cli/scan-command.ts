import { writeFile } from 'node:fs/promises';
import { formatLocationPath, severityRank, type FileReport } from '../core/findings';
import { applyFolderChecks } from '../core/folder/cross-check';
import { terminalText } from '../core/report/escape';
import { toJsonReport } from '../core/report/json';
import { toSarif } from '../core/report/sarif';
import { checkExternalDataLinks } from '../node/external-links';
import { scanWalked } from '../node/scan-walked';
import { walkPaths, type WalkError, type WalkResult } from '../node/walk';
import { parseScanArgs } from './args';
import { withHubCacheOrigins } from './hub-cache';
import { originLines, scanHubTargets, type HubEndpoints } from './hub-inputs';
import { EXIT, type Io } from './io';

function describe(report: FileReport): string {
  const lines = [
    `${report.verdict.toUpperCase().padEnd(8)} ${report.path}  (${report.formats.join(', ') || 'unknown'})`
  ];
  const target = report.facts?.['link target'];
  if (target !== undefined) lines.push(`         → ${target}`);
  if (!report.complete) lines.push('         ! not fully analysed');
  lines.push(...originLines(report));
  for (const f of report.findings) {
    const where =
      formatLocationPath(f.location.path) + (f.location.offset !== undefined ? ` @${f.location.offset}` : '');
    lines.push(`  - [${f.severity}] ${f.title} (${f.ruleId}) ${where}`);
  }
  // Names, titles and member paths are file data: each line is escaped, so none can forge another line.
  return lines.map(terminalText).join('\n');
}

/** The walk's and the reads' errors, on stderr: each makes the run exit 2. */
function reportErrors(errors: readonly WalkError[], stoppedAt: number | undefined, io: Io): boolean {
  for (const e of errors) io.err(`safeload: cannot read ${terminalText(e.path)}: ${terminalText(e.message)}`);
  if (stoppedAt !== undefined) {
    io.err(
      `safeload: stopped after ${stoppedAt} entries (--max-entries): the rest of the folder was not scanned`
    );
  }
  return errors.length > 0 || stoppedAt !== undefined;
}

export async function scanCommand(argv: string[], io: Io, endpoints?: HubEndpoints): Promise<number> {
  const args = parseScanArgs(argv);
  const hub = await scanHubTargets(args.paths, args.hub, io, endpoints);
  const walk: WalkResult =
    hub.localPaths.length > 0
      ? await walkPaths(hub.localPaths, { maxEntries: args.maxEntries })
      : { files: [], entries: [], errors: [] };
  const missing = walk.errors.filter((e) => hub.localPaths.includes(e.path));
  if (missing.length > 0) {
    for (const p of missing) io.err(`safeload: ${terminalText(p.path)}: ${terminalText(p.message)}`);
    return EXIT.usage;
  }
  const scanned = await scanWalked(walk.files);
  const fsPaths = new Map(walk.files.map((f) => [f.displayPath, f.fsPath]));
  const local = await checkExternalDataLinks(applyFolderChecks([...scanned.reports, ...walk.entries]), (p) =>
    fsPaths.get(p)
  );
  // Files of a hub cache (models--ORG--REPO/snapshots/COMMIT/…) are checked against their blob ids.
  const cached = await withHubCacheOrigins(local, (p) => fsPaths.get(p), args.hub, io, endpoints);
  const reports = [...cached, ...hub.reports];
  if (!args.json) for (const report of reports) io.out(describe(report));
  if (args.json) io.out(JSON.stringify(toJsonReport(reports), null, 2));
  if (args.sarif) await writeFile(args.sarif, JSON.stringify(toSarif(reports), null, 2));
  const failed = reportErrors([...walk.errors, ...scanned.errors], walk.stoppedAt, io) || hub.failed;
  const threshold = severityRank(args.failOn);
  const incomplete = reports.filter((r) => !r.complete);
  const failing = reports.filter(
    (r) => severityRank(r.verdict) >= threshold || (!r.complete && !args.allowIncomplete)
  );
  if (!args.json) {
    const unread = walk.errors.length + scanned.errors.length;
    io.err(
      `${reports.length} file(s) scanned; ${failing.length} failing (at or above ${args.failOn}${args.allowIncomplete ? '' : ', or not fully analysed'}); ${incomplete.length} not fully analysed${unread ? `; ${unread} could not be read` : ''}${walk.stoppedAt !== undefined ? `; stopped at the ${walk.stoppedAt}-entry limit` : ''}.`
    );
  }
  if (failed) return EXIT.usage;
  return failing.length > 0 ? EXIT.fail : EXIT.ok;
}
