import {
  detectFolderRoot,
  isHubBookkeeping,
  type ExpectedFile,
  type FileMatch,
  type LocalFile,
  type LocalLayout
} from '../core/provenance';
import type { Verdict } from '../core/findings';
import type { FileJob } from './file-job';

/** The dropped files seen as files of the repo: paths relative to the detected root, digests once hashed. */
export interface LocalView {
  /** Dropped-path prefix taken as the repo root ("" or ending in "/"). */
  root: string;
  local: LocalFile[];
  /** Repo path → dropped path, for showing where a file came from. */
  droppedPath: Map<string, string>;
  /** Repo path → why the dropped file could not be hashed. */
  failed: Map<string, string>;
  /** Dropped files outside the root or in huggingface_hub's own bookkeeping, not part of the comparison. */
  ignored: number;
  /** Repo path → the scan verdict of the dropped file (absent until its scan finished). */
  verdicts: Map<string, Verdict>;
}

export interface MatchRow extends FileMatch {
  droppedPath?: string;
  readError?: string;
  /** The scan verdict of the local file, shown beside the hash match: a match is not a safety verdict. */
  verdict?: Verdict;
}

type JobLike = Pick<
  FileJob,
  'path' | 'size' | 'state' | 'sha256' | 'gitSha1' | 'error' | 'gitSha1Error' | 'report'
>;

const LOCAL_DIR_MARK = /(^|\/)\.cache\/huggingface\/download\/.+\.metadata$/;
const CACHE_FOLDER = /(^|\/)(models|datasets|spaces)--[^/]+\/(refs|blobs|snapshots)\//;

/** Whether any dropped path looks like huggingface_hub's on-disk layouts (decided from names alone). */
export function mayHoldHubLayout(paths: Iterable<string>): boolean {
  for (const p of paths) if (LOCAL_DIR_MARK.test(p) || CACHE_FOLDER.test(p)) return true;
  return false;
}

function toLocal(path: string, job: JobLike): LocalFile {
  const hashed = job.state === 'done' && job.sha256 !== '';
  return {
    path,
    size: job.size,
    ...(hashed ? { sha256: job.sha256, gitSha1: job.gitSha1 } : {})
  };
}

/** The latest job per dropped path: dropping the same folder twice checks the newest copy. */
function latestByPath<T extends JobLike>(jobs: readonly T[]): Map<string, T> {
  const byPath = new Map<string, T>();
  for (const job of jobs) if (job.state !== 'cancelled') byPath.set(job.path, job);
  return byPath;
}

/**
 * Maps dropped jobs to repo paths. A hub cache maps each repo path to the blob holding its bytes; a
 * `--local-dir` download is rooted at its `.cache/huggingface`; otherwise the root is the folder under which
 * most dropped files land on an expected path.
 */
export function localView(
  jobs: readonly JobLike[],
  layout: LocalLayout | null,
  expected: readonly ExpectedFile[] | null
): LocalView {
  const byPath = latestByPath(jobs);
  const local: LocalFile[] = [];
  const droppedPath = new Map<string, string>();
  const failed = new Map<string, string>();
  const verdicts = new Map<string, Verdict>();
  const add = (repoPath: string, job: JobLike) => {
    local.push(toLocal(repoPath, job));
    droppedPath.set(repoPath, job.path);
    if (job.state === 'error') failed.set(repoPath, job.error ?? 'The file could not be read.');
    else if (job.gitSha1Error) failed.set(repoPath, job.gitSha1Error);
    if (job.state === 'done' && job.report) verdicts.set(repoPath, job.report.verdict);
  };
  if (layout?.kind === 'hub-cache') {
    const checkingLayout = expected === layout.expected;
    for (const [repoPath, dropped] of Object.entries(layout.contentPaths)) {
      const job = byPath.get(dropped);
      // Unreferenced blobs are only meaningful against the cache's own names.
      if (job && (checkingLayout || !repoPath.startsWith('blobs/'))) add(repoPath, job);
    }
    return { root: layout.root, local, droppedPath, failed, ignored: byPath.size - local.length, verdicts };
  }
  const paths = [...byPath.keys()];
  const root =
    layout?.kind === 'local-dir'
      ? layout.root
      : detectFolderRoot(
          paths,
          expected?.map((e) => e.path)
        );
  for (const [path, job] of byPath) {
    if (!path.startsWith(root)) continue;
    const repoPath = path.slice(root.length);
    if (!isHubBookkeeping(repoPath)) add(repoPath, job);
  }
  return { root, local, droppedPath, failed, ignored: byPath.size - local.length, verdicts };
}

export function matchRows(files: readonly FileMatch[], view: LocalView): MatchRow[] {
  return files.map((f) => {
    const readError = view.failed.get(f.path);
    const droppedPath = view.droppedPath.get(f.path);
    const verdict = view.verdicts.get(f.path);
    return {
      ...f,
      ...(verdict ? { verdict } : {}),
      ...(droppedPath !== undefined && droppedPath !== f.path ? { droppedPath } : {}),
      ...(readError !== undefined && f.status === 'pending' ? { readError } : {})
    };
  });
}
