import { HubError } from './errors';

/** One file of a commit as the Hub lists it (tree / paths-info entry), checked and normalised. */
export interface RemoteFile {
  path: string;
  size: number;
  /** Tree `oid`: git blob SHA-1 of the content, or of the LFS pointer when `lfs` is set. */
  gitBlobSha1: string;
  /** SHA-256 of the content: `lfs.oid` for LFS and Xet files; null for regular git files (the Hub has none). */
  sha256: string | null;
  lfs: { size: number; pointerSize: number } | null;
  /** Xet Merkle hash: an identifier only, never a content digest; null when absent or redacted. */
  xetHash: string | null;
  lastCommit: { id: string; title: string; date: string } | null;
  /** Hub scan verdict for this file (securityFileStatus.status), when the listing was expanded and the scan ran. */
  securityStatus: string | null;
}

const SHA1 = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function isSafeRepoPath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= 4096 &&
    !path.startsWith('/') &&
    !/[\u0000-\u001f]/.test(path) &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function str(v: unknown, max = 500): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

function bad(what: string): HubError {
  return new HubError('HUB_BAD_RESPONSE', `The Hub's file listing is malformed: ${what}.`);
}

/** Returns null for directories and unknown entry types; throws on a malformed file entry. */
export function remoteFileFromEntry(entry: unknown): RemoteFile | null {
  if (!isRecord(entry)) throw bad('an entry is not an object');
  if (entry.type !== 'file') return null;
  const path = entry.path;
  if (typeof path !== 'string' || !isSafeRepoPath(path))
    throw bad(`unsafe or missing path ${JSON.stringify(String(path).slice(0, 80))}`);
  if (!isSize(entry.size)) throw bad(`${path}: size is not a non-negative integer`);
  const oid = typeof entry.oid === 'string' ? entry.oid.toLowerCase() : '';
  if (!SHA1.test(oid)) throw bad(`${path}: oid is not a 40-hex git blob id`);
  let lfs: RemoteFile['lfs'] = null;
  let sha256: string | null = null;
  if (entry.lfs !== undefined && entry.lfs !== null) {
    const l = entry.lfs;
    const lfsOid = isRecord(l) && typeof l.oid === 'string' ? l.oid.toLowerCase() : '';
    if (!isRecord(l) || !SHA256.test(lfsOid) || !isSize(l.size))
      throw bad(`${path}: lfs is not {oid: 64-hex sha256, size}`);
    if (l.size !== entry.size) throw bad(`${path}: lfs.size ${l.size} differs from size ${entry.size}`);
    lfs = { size: l.size, pointerSize: isSize(l.pointerSize) ? l.pointerSize : 0 };
    sha256 = lfsOid;
  }
  const xet = typeof entry.xetHash === 'string' ? entry.xetHash.toLowerCase() : '';
  const lc = entry.lastCommit;
  const lastCommit =
    isRecord(lc) && typeof lc.id === 'string'
      ? { id: lc.id.slice(0, 64), title: str(lc.title) ?? '', date: str(lc.date, 40) ?? '' }
      : null;
  const security = isRecord(entry.securityFileStatus) ? str(entry.securityFileStatus.status, 40) : null;
  return {
    path,
    size: entry.size,
    gitBlobSha1: oid,
    sha256,
    lfs,
    // Gated repos may answer 64 '*' to callers without access: treat anything but hex as absent.
    xetHash: SHA256.test(xet) ? xet : null,
    lastCommit,
    securityStatus: security
  };
}
