import { isAbortError, throwIfAborted } from '../cancel';
import { maxVerdict, shorten, type FileReport, type Finding } from '../findings';
import { applyFolderChecks } from '../folder/cross-check';
import { digestSource, MultiHasher, type Digests } from '../hash/multi-digest';
import type { HubRef } from '../provenance/hub-ref';
import type { RemoteFile } from '../provenance/remote-file';
import { scanSource, type ScanOptions } from '../scan';
import { DEFAULT_DOWNLOAD_LIMITS, DownloadBudget, formatBytes, type DownloadLimits } from './budget';
import { openHubFile } from './hub-file';
import type { RangeFetcher } from './range-fetcher';
import { Semaphore } from './semaphore';

/**
 * Files up to this size are read whole and hashed, so their digests are computed here, not taken on trust;
 * so is any file the scan already downloaded whole (hashing it then costs at most what the cache let go).
 */
export const DEFAULT_VERIFY_UP_TO = 1024 * 1024;

export interface CommitScanOptions {
  limits?: Partial<DownloadLimits>;
  verifyUpTo?: number;
  /** Files scanned at once. */
  concurrency?: number;
  signal?: AbortSignal;
  scan?: Omit<ScanOptions, 'signal'>;
  onFile?: (event: RemoteFileEvent) => void;
  /** Add what files say about each other (shards, external data); off when the caller does it (the app). */
  folderChecks?: boolean;
}

export type RemoteFileEvent =
  { path: string; state: 'scanning' } | { path: string; state: 'done'; report: FileReport };

export interface CommitScanResult {
  reports: FileReport[];
  limits: DownloadLimits;
  /** Bytes downloaded for the whole scan. */
  bytesFetched: number;
  /** Sum of the listed file sizes. */
  totalSize: number;
}

function added(
  report: FileReport,
  finding: Omit<Finding, 'location' | 'format'>,
  offset?: number
): FileReport {
  const full: Finding = {
    ...finding,
    format: 'remote',
    location: { path: [report.path], ...(offset !== undefined ? { offset } : {}) }
  };
  return {
    ...report,
    findings: [...report.findings, full],
    verdict: maxVerdict(report.verdict, full.severity)
  };
}

function digestMismatch(file: RemoteFile, computed: Digests): Finding | null {
  const field = file.sha256 ? 'sha256' : 'gitBlobSha1';
  const expected = file.sha256 ?? file.gitBlobSha1;
  const actual = (file.sha256 ? computed.sha256 : computed.gitSha1) ?? 'not computed';
  if (expected === actual) return null;
  return {
    ruleId: 'remote.digest-mismatch',
    severity: 'high',
    title: 'The bytes served differ from the Hub listing',
    message: `The ${field === 'sha256' ? 'SHA-256' : 'git blob SHA-1'} of the bytes downloaded (${actual}) is not the one the Hub lists for this file at this commit (${expected}). Something between the Hub and this machine changed the file, or the listing is wrong: do not trust either.`,
    format: 'remote',
    location: { path: [file.path] },
    evidence: { details: { field, expected, actual } }
  };
}

async function scanOne(
  fetcher: RangeFetcher,
  ref: Pick<HubRef, 'repoType' | 'repoId'>,
  commit: string,
  file: RemoteFile,
  budget: DownloadBudget,
  options: CommitScanOptions
): Promise<FileReport> {
  const opened = openHubFile(fetcher, ref, commit, file, budget.forFile(), { signal: options.signal });
  let report: FileReport;
  let stopped = false;
  try {
    report = await scanSource(opened.source, { ...options.scan, signal: options.signal });
  } catch (err) {
    // A read the limit refused or the network lost stops the scanners: the file is reported, not the run.
    if (isAbortError(err) || opened.failed() === null) throw err;
    stopped = true;
    report = {
      path: file.path,
      size: file.size,
      formats: [],
      verdict: 'clean',
      complete: false,
      findings: []
    };
  }
  const refused = opened.refused();
  const failed = opened.failed();
  let computed: Digests | null = null;
  const downloaded = opened.bytesFetched() >= file.size;
  if ((file.size <= (options.verifyUpTo ?? DEFAULT_VERIFY_UP_TO) || downloaded) && failed === null) {
    try {
      // A file the listing records only by its git blob id gets that digest whatever its size.
      const hasher = file.sha256 ? undefined : await MultiHasher.create({ gitSha1MaxBytes: Infinity });
      computed = await digestSource(opened.source, { signal: options.signal }, hasher);
    } catch (err) {
      if (isAbortError(err)) throw err;
      computed = null; // the listing's digests stand, marked as such
    }
  }
  if (refused) {
    report = added(report, {
      ruleId: 'remote.download-limit',
      severity: 'medium',
      title: 'Download limit reached: analysis incomplete',
      message: `Safeload read this file in place on the Hub and stopped after ${formatBytes(opened.bytesFetched())} of ${formatBytes(file.size)}: ${shorten(refused.message, 200)}. The part not downloaded was not analysed, so this file is not known to be safe. Raise the limit or download the file to scan it whole.`,
      evidence: { details: { bytesFetched: opened.bytesFetched(), size: file.size } }
    });
    report.complete = false;
  } else if (failed && (report.complete || stopped)) {
    // A scanner that tolerated a failed read must not turn it into "clean", nor one that stopped at it pass.
    report = added(report, {
      ruleId: 'remote.read-failed',
      severity: 'medium',
      title: 'Part of the file could not be downloaded',
      message: `A range request for this file failed (${shorten(failed.message, 200)}), so part of it was not analysed and it is not known to be safe.`,
      evidence: {}
    });
    report.complete = false;
  }
  const mismatch = computed ? digestMismatch(file, computed) : null;
  if (mismatch) report = added(report, mismatch);
  return {
    ...report,
    path: file.path,
    sha256: computed?.sha256 ?? file.sha256 ?? undefined,
    gitSha1: computed?.gitSha1 ?? (file.lfs ? undefined : file.gitBlobSha1),
    origin: {
      kind: 'hub',
      repoType: ref.repoType,
      repoId: ref.repoId,
      commit,
      repoPath: file.path,
      bytesFetched: opened.bytesFetched(),
      digests: computed ? 'computed' : 'hub-listing',
      hubSecurityStatus: file.securityStatus
    }
  };
}

/**
 * Scans every listed file of a Hub commit in place: each scanner reads only what it needs, by range, within
 * the download limits. A file the limits or the network cut short is reported incomplete, never clean.
 */
export async function scanHubCommit(
  fetcher: RangeFetcher,
  ref: Pick<HubRef, 'repoType' | 'repoId'>,
  commit: string,
  files: readonly RemoteFile[],
  options: CommitScanOptions = {}
): Promise<CommitScanResult> {
  const limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.limits };
  const budget = new DownloadBudget(limits);
  const pool = new Semaphore(options.concurrency ?? 3);
  const reports = await Promise.all(
    files.map((file) =>
      pool.run(async () => {
        throwIfAborted(options.signal);
        options.onFile?.({ path: file.path, state: 'scanning' });
        const report = await scanOne(fetcher, ref, commit, file, budget, options);
        options.onFile?.({ path: file.path, state: 'done', report });
        return report;
      })
    )
  );
  return {
    reports: options.folderChecks === false ? reports : applyFolderChecks(reports),
    limits,
    bytesFetched: reports.reduce((n, r) => n + (r.origin?.bytesFetched ?? 0), 0),
    totalSize: files.reduce((n, f) => n + f.size, 0)
  };
}
