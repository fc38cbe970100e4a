import type { ConvertProgress } from '../core/convert/convert';
import type { ConversionReport } from '../core/convert/report';

/** Where the worker writes: a file the user picked (File System Access API), or the origin-private file system. */
export type ConvertDestination =
  { kind: 'picked'; handle: FileSystemFileHandle } | { kind: 'opfs'; name: string };

export interface ConvertRequest {
  file: File;
  /** Path shown in the report. */
  path: string;
  /** The digest the Check files page computed, recorded in the report. */
  sha256?: string;
  /** Name the output carries inside the file. */
  outputName: string;
  destination: ConvertDestination;
}

/** The API exposed by convert.worker.ts. */
export interface ConvertWorkerApi {
  /** Rejects with an Error named AbortError when cancelled. */
  convert(request: ConvertRequest, onProgress: (p: ConvertProgress) => void): Promise<ConversionReport>;
  cancel(): void;
}
