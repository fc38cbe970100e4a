import type { ByteSource } from '../bytes/byte-source';
import type { Evidence, FileReference, Severity } from '../findings';
import type { InspectedInput } from '../inspected';

export type { FileReference };
import type { ScanLimits } from '../limits';
import type { PickleScanOptions } from './pickle/analyse';
import type { PickleScanResult } from './pickle';

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
  /**
   * True when this file's name or its container says it holds model data (`.bin`, `.pt`, a PyTorch zip's
   * pickles…): if nothing identifies it, that is a medium finding and the report is incomplete.
   */
  readonly expectsModel: boolean;
  /**
   * Detects and scans an embedded member (zip entry, decompressed stream) under `path + memberName`. The role
   * is what the container says the member is (default: whatever its content and name say).
   */
  scanNested(member: ByteSource, memberName: string, role?: MemberRole): Promise<void>;
  /**
   * Analyses this file as the pickle stream `pickle.load` would read, reporting what it finds, and returns the
   * result. Runs at most once per file: formats that are pickle dialects (legacy PyTorch, joblib) call it with
   * their options; otherwise the dispatcher runs it after every format (see scan.ts).
   */
  analysePickle(opts?: PickleScanOptions): Promise<PickleScanResult>;
  /**
   * True when a format that identified this source already handed [start, end) of it to the registry inside
   * one member (a zip that is a tar's member): reading those bytes here again would scan that member twice.
   */
  heldByMember?(start: number, end: number): boolean;
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
 * What a container says about a member it hands to the registry:
 * - `content`: nothing; the member's content and name decide (an unrecognised `.pkl` is medium, a `.txt` info);
 * - `model`: the loader reads it as model data (a PyTorch zip's `data.pkl`), so unrecognised is medium;
 * - `raw`: the loader reads its bytes raw and never parses them (tensor storages), so being unrecognised is
 *   expected: no pickle analysis and no "unrecognised" finding, though formats that identify it still scan.
 */
export type MemberRole = 'content' | 'model' | 'raw';

/**
 * Returned by a format's scan when its complete structural check fails at the start: the bytes are not this
 * format after all. Whatever the scan reported is kept only when nothing else identifies the file. A scan
 * returns it before handing any member to the registry.
 */
export const REJECTED = 'rejected';
export type ScanClaim = void | typeof REJECTED;

/**
 * One module per format. `sniff` is pure and cheap: it returns what it recognised in the probe (any truthy
 * value, handed unchanged to `scan` as `found`, so nothing is sniffed twice) or a falsy value. Every format
 * whose sniff matches scans the file, so a file that two loaders would read differently (a pickle followed by
 * a zip) is analysed both ways. A format identifies a file only when its sniff matched and its scan did not
 * return REJECTED; every file is also analysed as a pickle stream (scan.ts), whatever formats identify it.
 */
export interface FormatScanner<Found = unknown> {
  readonly id: string;
  readonly label: string;
  sniff(probe: Probe): Found | false | null | undefined;
  scan(src: ByteSource, ctx: ScanContext, probe: Probe, found: Found): Promise<ScanClaim>;
}
