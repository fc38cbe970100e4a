import { blobSource } from '../core/bytes/byte-source';
import { scanSource } from '../core/scan';
import { hashFile } from './hash-file';
import type { FileJobRequest, FileJobResult, ProgressCallback } from './file-job-api';
import { throttleProgress } from './throttle';

const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;

/** One file job (the file-job worker's `run`): hash and scan one file; the signal cancels both. */
export async function runFileJob(
  { file, path }: FileJobRequest,
  onProgress: ProgressCallback,
  signal: AbortSignal
): Promise<FileJobResult> {
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    // Hash and scan concurrently: the scan reads little of a large model, the hash reads everything.
    // Small files finish before a progress message would be seen; skipping them saves two round trips each.
    const progress = file.size >= PROGRESS_MIN_BYTES ? throttleProgress(onProgress) : undefined;
    const hashing = hashFile(file, path, { signal: controller.signal, onProgress: progress });
    const scanning = scanSource(blobSource(file, path), { signal: controller.signal });
    // If either side fails (an unreadable file), stop the other one instead of letting it run on.
    hashing.catch(() => controller.abort());
    scanning.catch(() => controller.abort());
    const [{ sha256, gitSha1 }, report] = await Promise.all([hashing, scanning]);
    return { sha256, gitSha1, report: { ...report, sha256, ...(gitSha1 !== null ? { gitSha1 } : {}) } };
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
