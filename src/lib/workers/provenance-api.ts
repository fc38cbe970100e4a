import type { LocalLayout } from '../core/provenance';
import type { Manifest } from '../core/provenance/manifest';

/** A dropped file as the provenance worker sees it: its path, size and the File handle (never its bytes). */
export interface LayoutEntry {
  path: string;
  size: number;
  file: File;
}

/** The API exposed by provenance.worker.ts: every read of a dropped file's bytes for provenance happens there. */
export interface ProvenanceWorkerApi {
  /** Recognises a `--local-dir` download or a hub cache folder by reading its small metadata files. */
  detectLayout(entries: LayoutEntry[]): Promise<LocalLayout | null>;
  /** Reads and validates a manifest file (size-bounded); rejects with a ManifestError message. */
  readManifest(file: File): Promise<Manifest>;
  /** Decodes and validates a `#m=` share link (bounded in size and files); off the main thread. */
  decodeLink(urlOrFragment: string): Promise<Manifest>;
}
