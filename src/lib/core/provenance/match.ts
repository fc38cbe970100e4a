/** Matching local files (by digests from the hashing stage) against what a commit or manifest says they are. */

export interface LocalFile {
  /** Path relative to the detected folder root, "/"-separated. */
  path: string;
  size: number;
  /** Absent while the file is still being hashed. */
  sha256?: string | null;
  /** Absent while hashing; null when hashed without it (large files: see GIT_SHA1_MAX_BYTES). */
  gitSha1?: string | null;
}

export interface ExpectedFile {
  path: string;
  size: number | null;
  sha256: string | null;
  gitBlobSha1: string | null;
  /** What gitBlobSha1 hashes: the content, or the LFS pointer (useless to check content). */
  gitBlobOf: 'content' | 'lfs-pointer' | null;
}

export type MatchStatus = 'verified' | 'mismatch' | 'missing' | 'extra' | 'pending' | 'unverifiable';

export interface Mismatch {
  field: 'size' | 'sha256' | 'gitBlobSha1';
  expected: string | number;
  actual: string | number;
}

export interface FileMatch {
  path: string;
  status: MatchStatus;
  /** How a verified file was checked. */
  method?: 'sha256' | 'git-blob-sha1' | 'sha256+git-blob-sha1';
  /** Pending only for a hash the local file was hashed without: the caller should compute it. */
  needs?: 'git-blob-sha1';
  mismatch?: Mismatch;
  expectedSize?: number | null;
  actualSize?: number;
}

export interface MatchResult {
  files: FileMatch[];
  counts: Record<MatchStatus, number>;
  /** Every expected file present and verified, nothing extra, nothing pending. */
  allVerified: boolean;
}

const STATUSES: MatchStatus[] = ['verified', 'mismatch', 'missing', 'extra', 'pending', 'unverifiable'];

function compareOne(expected: ExpectedFile, local: LocalFile): FileMatch {
  const base = { path: expected.path, expectedSize: expected.size, actualSize: local.size };
  // Size first: a wrong size is a mismatch before any hash exists.
  if (expected.size !== null && expected.size !== local.size)
    return {
      ...base,
      status: 'mismatch',
      mismatch: { field: 'size', expected: expected.size, actual: local.size }
    };
  const canSha = expected.sha256 !== null;
  const canGit = expected.gitBlobOf === 'content' && expected.gitBlobSha1 !== null;
  if (!canSha && !canGit) return { ...base, status: 'unverifiable' };
  const actualSha = local.sha256?.toLowerCase() ?? null;
  const actualGit = local.gitSha1?.toLowerCase() ?? null;
  if (canSha && actualSha !== null && actualSha !== expected.sha256)
    return {
      ...base,
      status: 'mismatch',
      mismatch: { field: 'sha256', expected: expected.sha256!, actual: actualSha }
    };
  if (canGit && actualGit !== null && actualGit !== expected.gitBlobSha1)
    return {
      ...base,
      status: 'mismatch',
      mismatch: { field: 'gitBlobSha1', expected: expected.gitBlobSha1!, actual: actualGit }
    };
  const shaOk = canSha && actualSha !== null;
  const gitOk = canGit && actualGit !== null;
  if (!shaOk && !gitOk)
    return canGit && local.gitSha1 === null
      ? { ...base, status: 'pending', needs: 'git-blob-sha1' }
      : { ...base, status: 'pending' };
  return {
    ...base,
    status: 'verified',
    method: shaOk && gitOk ? 'sha256+git-blob-sha1' : shaOk ? 'sha256' : 'git-blob-sha1'
  };
}

/**
 * Expected files are matched by exact path. Local paths the caller marks as bookkeeping (see
 * `isHubBookkeeping`) should be filtered out beforehand; anything else unmatched is "extra".
 */
export function matchFiles(expected: readonly ExpectedFile[], local: readonly LocalFile[]): MatchResult {
  const byPath = new Map(local.map((f) => [f.path, f]));
  const files: FileMatch[] = [];
  const expectedPaths = new Set<string>();
  for (const e of expected) {
    expectedPaths.add(e.path);
    const l = byPath.get(e.path);
    files.push(l ? compareOne(e, l) : { path: e.path, status: 'missing', expectedSize: e.size });
  }
  for (const l of local)
    if (!expectedPaths.has(l.path)) files.push({ path: l.path, status: 'extra', actualSize: l.size });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<MatchStatus, number>;
  for (const f of files) counts[f.status]++;
  return { files, counts, allVerified: files.length > 0 && counts.verified === files.length };
}

/** huggingface_hub's own download bookkeeping inside a dropped folder; not part of the repo. */
export function isHubBookkeeping(path: string): boolean {
  return path === '.cache/huggingface' || path.startsWith('.cache/huggingface/');
}
