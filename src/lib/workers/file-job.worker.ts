import { serve } from './comlink';
import { blobSource } from '../core/bytes/byte-source';
import { scanSource } from '../core/scan';
import { hashFile } from './hash-file';
import type { FileJobRequest, FileJobResult, FileJobWorkerApi, ProgressCallback } from './file-job-api';
import { throttleProgress } from './throttle';

const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
const running = new Map<number, AbortController>();

async function run({ id, file, path }: FileJobRequest, onProgress: ProgressCallback): Promise<FileJobResult> {
  const controller = new AbortController();
  running.set(id, controller);
  const { signal } = controller;
  try {
    // Hash and scan concurrently: the scan reads little of a large model, the hash reads everything.
    // Small files finish before a progress message would be seen; skipping them saves two round trips each.
    const progress = file.size >= PROGRESS_MIN_BYTES ? throttleProgress(onProgress) : undefined;
    const hashing = hashFile(file, path, { signal, onProgress: progress });
    const scanning = scanSource(blobSource(file, path), { signal });
    // If either side fails (an unreadable file), stop the other one instead of letting it run on.
    hashing.catch(() => controller.abort());
    scanning.catch(() => controller.abort());
    const [digests, report] = await Promise.all([hashing, scanning]);
    return { ...digests, report: { ...report, sha256: digests.sha256, gitSha1: digests.gitSha1 } };
  } finally {
    running.delete(id);
  }
}

const api: FileJobWorkerApi = {
  run,
  cancel(id) {
    running.get(id)?.abort();
  }
};

serve(api);
