import type { FileReport, Verdict } from '../core/findings';

export type JobState = 'queued' | 'hashing' | 'done' | 'error' | 'cancelled';

/** One file in the list. Immutable: the session replaces the object when anything changes. */
export interface FileJob {
  readonly id: number;
  /** Relative path incl. folders, as dropped or picked: "folder/sub/a.bin". */
  readonly path: string;
  readonly size: number;
  /** Which drop/pick this file came with; progress and throughput are per batch. */
  readonly batch: number;
  readonly state: JobState;
  /** Bytes hashed so far. */
  readonly done: number;
  readonly sha256: string;
  /**
   * "" until hashed; null when not computed (files over GIT_SHA1_MAX_BYTES, until `requestGitSha1` asks for it).
   */
  readonly gitSha1: string | null;
  /** Why the git blob SHA-1 asked for later could not be computed. */
  readonly gitSha1Error?: string;
  /** The picked file, so other pages (signatures) can hand it to their own worker. */
  readonly file?: File;
  /** Read in place on the Hub by a Hub scan, which alone can stop it (no File, no hashing progress). */
  readonly remote?: boolean;
  /** Brought back from the last visit (IndexedDB): results and hashes only, the File is gone. */
  readonly restored?: boolean;
  /** The file's report, with the findings of the folder checks (what one file says of another) added. */
  readonly report?: FileReport;
  /** The file's own scan report, before folder checks: they are recomputed from it whenever files settle. */
  readonly scanReport?: FileReport;
  readonly error?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface PickedFile {
  file: File;
  path: string;
  /**
   * The file's size, when read where the File was made (the folder walk's worker): on the page, reading
   * `File.size` can be a synchronous call into the browser process (measured ≈0.2 ms per file).
   */
  size?: number;
}

/** A dropped entry the browser could not read (or list): it becomes an error row, never a silent absence. */
export interface UnreadEntry {
  path: string;
  reason: string;
}

export function isActive(job: FileJob): boolean {
  return job.state === 'queued' || job.state === 'hashing';
}

export function verdictOfJob(job: FileJob): Verdict | '' {
  return job.report?.verdict ?? '';
}

/** Plain-language text for a worker error; file-provided text is never shown unshortened. */
export function describeJobError(name: string, message: string): string {
  if (name === 'NotReadableError' || name === 'NotFoundError') {
    return 'The file could not be read: it was moved, deleted or changed while being read. Pick it again to retry.';
  }
  if (name === 'WorkerCrashed') {
    return `The background worker stopped unexpectedly while reading this file (${message.slice(0, 120)}). Other files continue.`;
  }
  if (/changed/i.test(message)) return 'The file changed while it was being read. Pick it again to retry.';
  const text = `${name}: ${message}`;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
