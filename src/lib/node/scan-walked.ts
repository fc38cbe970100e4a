import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FileReport } from '../core/findings';
import type { MultiHasher } from '../core/hash/multi-digest';
import { analyseFile } from './analyse-file';
import { AnalysePool, poolSizeFor, type Analyse } from './analyse-pool';
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
 * Worker threads from this many bytes in all: each starts by loading the scanners (≈0.15 CPU-s), which
 * hashing on a second core repays from a few hundred MB (node:crypto hashes both digests at ≈0.65 GB/s per
 * core). Below it, files are read side by side in this thread.
 */
export const THREADS_FROM_BYTES = 256 * 1024 * 1024;

/** Whether the files add up to at least `bytes` (stopping as soon as they do). */
async function atLeast(files: readonly WalkedFile[], bytes: number): Promise<boolean> {
  let total = 0;
  for (let i = 0; i < files.length && total < bytes; i += 64) {
    const sizes = await Promise.all(
      files.slice(i, i + 64).map((f) =>
        stat(f.fsPath).then(
          (s) => s.size,
          () => 0
        )
      )
    );
    total += sizes.reduce((a, b) => a + b, 0);
  }
  return total >= bytes;
}

/**
 * Files analysed at once in one thread. A small file costs more waiting for the disk (open, read, close go
 * through libuv's thread pool) than computing: 43 % of a sequential run over 1,000 files of 64 KiB was idle.
 */
const IN_THREAD_FILES = 4;

/** `run`, with at most `n` calls in progress; the others wait their turn in call order. */
function limited(n: number, run: Analyse): Analyse {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fsPath, path) => {
    while (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await run(fsPath, path);
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Hashes and scans walked files, each real file once per name: a file reached under several paths (through
 * links) is reported under each, and a followed link records where it leads. Under another name it is scanned
 * again, since the name decides how it is read (a hub blob is `config.json` or `modeling.py` only by its
 * link). A file that cannot be read is an error, never a silent absence. From THREADS_FROM_BYTES on, files
 * are read in parallel in worker threads (one per core, one file each at a time) where the CLI is bundled;
 * reports keep the walk's order.
 */
export async function scanWalked(
  files: readonly WalkedFile[],
  /** hasher: one hasher for every file, which then are read one at a time (a hasher hashes one file at once). */
  options: { hasher?: MultiHasher; pathOf?: (file: WalkedFile) => string } = {}
): Promise<{ reports: FileReport[]; errors: WalkError[] }> {
  const pool =
    files.length > 1 && !options.hasher && (await atLeast(files, THREADS_FROM_BYTES))
      ? AnalysePool.create(poolSizeFor(files.length))
      : undefined;
  const { hasher } = options;
  // In this thread up to IN_THREAD_FILES at a time (their reads overlap), each with a hasher of its own
  // (analyseFile's default); the pool queues files for its workers itself.
  const analyse: Analyse =
    pool?.analyse ??
    limited(hasher ? 1 : IN_THREAD_FILES, (fsPath, path) => analyseFile(fsPath, path, { hasher }));
  try {
    const byReal = new Map<string, Promise<FileReport>>();
    const outcomes = files.map(async (file): Promise<{ report: FileReport } | { error: WalkError }> => {
      const path = options.pathOf?.(file) ?? file.displayPath;
      const key = `${basename(path)}\0${file.realPath}`;
      const first = byReal.get(key);
      let report: FileReport;
      try {
        if (first) report = reportAt(await first, path);
        else {
          const analysing = analyse(file.fsPath, path);
          byReal.set(key, analysing);
          report = await analysing;
        }
      } catch (err) {
        // Every path of an unreadable file is an error of its own.
        return { error: { path, message: (err as Error).message } };
      }
      if (file.linkTarget !== undefined) {
        report = { ...report, facts: { ...report.facts, 'link target': file.linkTarget } };
      }
      return { report };
    });
    const reports: FileReport[] = [];
    const errors: WalkError[] = [];
    for (const outcome of await Promise.all(outcomes)) {
      if ('report' in outcome) reports.push(outcome.report);
      else errors.push(outcome.error);
    }
    return { reports, errors };
  } finally {
    await pool?.close();
  }
}
