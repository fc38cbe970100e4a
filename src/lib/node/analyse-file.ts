import { sharedReads } from '../core/bytes/shared-reads';
import type { FileReport } from '../core/findings';
import { digestSource, MultiHasher } from '../core/hash/multi-digest';
import { scanSource, type ScanOptions } from '../core/scan';
import { openFileSource } from './file-source';
import { nodeDigests } from './node-digests';

/**
 * The CLI's hasher: node:crypto, and a git blob SHA-1 for every file (natively it costs little, and the gate
 * compares it for large files a manifest lists as plain git files).
 */
export function cliHasher(): MultiHasher {
  return new MultiHasher(nodeDigests, { gitSha1MaxBytes: Infinity });
}

/** Hashes and scans one file from disk, concurrently, reading each byte once where the two overlap. */
export async function analyseFile(
  fsPath: string,
  displayPath: string,
  options: ScanOptions & { hasher?: MultiHasher } = {}
): Promise<FileReport> {
  const { source, close } = await openFileSource(fsPath, displayPath);
  try {
    const reads = sharedReads(source);
    const scanning = scanSource(reads.scan, options).finally(() => reads.scanDone());
    const hashing = digestSource(reads.hash, { signal: options.signal }, options.hasher ?? cliHasher());
    // Both settle before the handle closes, so neither reads from a closed file.
    const [hashed, scanned] = await Promise.allSettled([hashing, scanning]);
    if (hashed.status === 'rejected') throw hashed.reason;
    if (scanned.status === 'rejected') throw scanned.reason;
    const [digests, report] = [hashed.value, scanned.value];
    return {
      ...report,
      path: displayPath,
      sha256: digests.sha256,
      ...(digests.gitSha1 !== null ? { gitSha1: digests.gitSha1 } : {})
    };
  } finally {
    await close();
  }
}
