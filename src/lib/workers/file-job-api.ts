import type { FileReport } from '../core/findings';

/** What the main thread hands a worker: the File handle itself, never its bytes. */
export interface FileJobRequest {
  id: number;
  file: File;
  /** Relative path shown to the user, e.g. "folder/sub/a.bin". */
  path: string;
}

export interface FileJobResult {
  sha256: string;
  /** Null when not computed: files over GIT_SHA1_MAX_BYTES (the Provenance page asks for it when needed). */
  gitSha1: string | null;
  report: FileReport;
}

export type ProgressCallback = (done: number, total: number) => void;
export type JobProgressCallback = (id: number, done: number, total: number) => void;

/** The API exposed by file-job.worker.ts (served through workers/comlink.ts). */
export interface FileJobWorkerApi {
  /**
   * Where the progress of every job of this worker goes. Set once per worker: a callback passed with each run
   * would cost a message channel per file (10,000 files = 10,000 ports for the page to create and collect).
   */
  reportProgress(onProgress: JobProgressCallback): void;
  /** Hashes and scans one file; rejects with an Error named AbortError when cancelled. */
  run(request: FileJobRequest): Promise<FileJobResult>;
  cancel(id: number): void;
}
