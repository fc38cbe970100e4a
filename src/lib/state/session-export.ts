import type { FileReport } from '../core/findings';
import { toJsonReport, type JsonReport } from '../core/report/json';
import { toSarif } from '../core/report/sarif';
import { isActive, type FileJob } from './file-job';
import { comparePaths } from './file-view';

/** The scan JSON leaves the optional gitSha1 out when it was not computed (files over 10 MiB), as the CLI's type allows. */
function gitSha1Of(job: FileJob): { gitSha1?: string } {
  return job.gitSha1 ? { gitSha1: job.gitSha1 } : {};
}

/** A file that was not analysed still appears in a report, as incomplete (fail closed), never as absent. */
function unanalysed(job: FileJob, ruleId: string, title: string, why: string): FileReport {
  return {
    path: job.path,
    size: job.size,
    ...(job.sha256 ? { sha256: job.sha256, ...gitSha1Of(job) } : {}),
    formats: [],
    verdict: 'medium',
    complete: false,
    findings: [
      {
        ruleId,
        severity: 'medium',
        title,
        message: `${why} It was not analysed, so it is not known to be safe.`,
        format: 'scan',
        location: { path: [job.path] },
        evidence: {}
      }
    ]
  };
}

/** The reports of every settled file, in the order the CLI would write them for the same folder. */
export function sessionReports(jobs: readonly FileJob[]): FileReport[] {
  return jobs
    .filter((job) => !isActive(job))
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((job) => {
      if (job.state === 'done' && job.report) {
        return { ...job.report, path: job.path, sha256: job.sha256, ...gitSha1Of(job) };
      }
      if (job.state === 'error') {
        return unanalysed(
          job,
          'scan.unreadable',
          'File could not be read',
          job.error ?? 'The file could not be read.'
        );
      }
      return unanalysed(
        job,
        'scan.cancelled',
        'Check cancelled',
        'The check was cancelled before it finished.'
      );
    });
}

/** The CLI's `safeload scan --json` document for these files. */
export function sessionJson(jobs: readonly FileJob[]): JsonReport {
  return toJsonReport(sessionReports(jobs));
}

/** The CLI's `safeload scan --sarif` log for these files. */
export function sessionSarif(jobs: readonly FileJob[]): ReturnType<typeof toSarif> {
  return toSarif(sessionReports(jobs));
}

/** "safeload-scan-2026-03-01T10-00" */
export function reportFileName(now: Date, extension: string): string {
  return `safeload-scan-${now.toISOString().slice(0, 16).replace(/:/g, '-')}.${extension}`;
}
