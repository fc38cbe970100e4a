import type { ByteSource } from '../bytes/byte-source';
import type { Evidence, FileReference, Severity } from '../findings';
import type { InspectedInput } from '../inspected';

export type { FileReference };
import type { ScanLimits } from '../limits';

/** What a format sees to decide whether it applies: the first and last bytes, and the name. */
export interface Probe {
  /** Up to the first 64 KiB. */
  head: Uint8Array;
  /** Up to the last 64 KiB (for formats found from the end, like zip's central directory). */
  tail: Uint8Array;
  name: string;
  size: number;
}

export interface FindingInput {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  offset?: number;
  evidence?: Evidence;
}

export interface ScanContext {
  /** Container chain of the source being scanned, outermost first. */
  readonly path: readonly string[];
  readonly depth: number;
  readonly limits: ScanLimits;
  readonly signal?: AbortSignal;
  report(finding: FindingInput): void;
  /** Records that part of the file could not be analysed: a medium finding, and the report is not complete. */
  incomplete(reason: string, offset?: number, evidence?: Evidence): void;
  /** Detects and scans an embedded member (zip entry, decompressed stream) under `path + memberName`. */
  scanNested(member: ByteSource, memberName: string): Promise<void>;
  /** Records a neutral fact about the file (tensor count, producer, version) for the report; not a finding. */
  fact(key: string, value: string | number | boolean): void;
  /** Records that this file refers to another file of the model (resolved against the file's folder). */
  reference(ref: FileReference): void;
  /** Counts decompressed bytes against the per-file budget; false when the budget is spent. */
  claimDecompressed(bytes: number): boolean;
  /** Adds a format id found by structure (e.g. a zip whose layout is PyTorch's) to the report's formats. */
  addFormat?(id: string): void;
  /** Lists what was read (imports, tensors, metadata, layers) for the analyst; bounded by the scan. */
  inspect?(part: InspectedInput): void;
}

/**
 * One module per format. `sniff` is pure and cheap; every format whose sniff says yes scans the file, so a
 * file that two loaders would read differently (a pickle followed by a zip) is analysed both ways.
 */
export interface FormatScanner {
  readonly id: string;
  readonly label: string;
  sniff(probe: Probe): boolean;
  scan(src: ByteSource, ctx: ScanContext, probe: Probe): Promise<void>;
}
