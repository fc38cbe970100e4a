import type { FileReport } from '../core/findings';
import { digestSource, MultiHasher } from '../core/hash/multi-digest';
import { scanSource, type ScanOptions } from '../core/scan';
import { openFileSource } from './file-source';

/** Hashes and scans one file from disk; the two run concurrently over the same handle. */
export async function analyseFile(
  fsPath: string,
  displayPath: string,
  options: ScanOptions & { hasher?: MultiHasher } = {}
): Promise<FileReport> {
  const { source, close } = await openFileSource(fsPath, displayPath);
  try {
    const [digests, report] = await Promise.all([
      digestSource(source, { signal: options.signal }, options.hasher),
      scanSource(source, options)
    ]);
    return { ...report, path: displayPath, sha256: digests.sha256, gitSha1: digests.gitSha1 };
  } finally {
    await close();
  }
}
