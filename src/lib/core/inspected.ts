import { shorten } from './findings';

/**
 * What the scanners read, so an analyst can review it as Netron or the Hub would show it: the imports of
 * every pickle, tensor tables, metadata, layer lists, and where container members lie in the file. Neutral
 * facts, never a verdict. Every list is bounded: `total` says how many there were, the list how many are kept.
 */
export type InspectedPart =
  InspectedImports | InspectedTensors | InspectedMetadata | InspectedLayers | InspectedMember;

interface PartBase {
  /** Container chain of the source this part describes, outermost first (as in a finding's location). */
  path: string[];
  /** The format scanner that recorded it. */
  format: string;
}

export interface InspectedImport {
  /** null when the module was computed while loading (a dynamic import): no name can be given statically. */
  module: string | null;
  name: string | null;
  /** 'static': named in the file; 'dynamic': computed at load time; 'extension': a copyreg registry code. */
  kind: 'static' | 'dynamic' | 'extension';
  /** How the safety policy classes it: on the safe list, not on it, or dangerous (high/critical). */
  level: 'safe' | 'unknown' | 'high' | 'critical';
  category?: string;
  /** First import site. */
  offset: number;
  opcode: string;
  count: number;
  called: boolean;
  /** Handed to another call as an argument or state. */
  passed: boolean;
}

export interface InspectedImports extends PartBase {
  kind: 'pickle-imports';
  imports: InspectedImport[];
  total: number;
  pickles: number;
  opcodes: number;
}

export interface InspectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets of the tensor's data in the source this part describes; end is null when unknown. */
  start: number;
  end: number | null;
}

export interface InspectedTensors extends PartBase {
  kind: 'tensors';
  tensors: InspectedTensor[];
  total: number;
  /** Where the data area begins in the source. */
  dataStart: number;
}

export interface InspectedEntry {
  key: string;
  value: string;
  /** The value's type as the file declares it (GGUF), when known. */
  type?: string;
}

export interface InspectedMetadata extends PartBase {
  kind: 'metadata';
  /** What the entries are, e.g. "GGUF metadata", "ONNX model", "safetensors __metadata__". */
  title: string;
  entries: InspectedEntry[];
  total: number;
}

export interface InspectedLayer {
  name: string;
  className: string;
  module?: string;
}

export interface InspectedLayers extends PartBase {
  kind: 'layers';
  /** Which document the layers come from, e.g. "config.json" or "HDF5 attribute model_config". */
  source: string;
  layers: InspectedLayer[];
  total: number;
}

/** A container member whose bytes are a window of the file (stored, not compressed): offsets map 1:1. */
export interface InspectedMember extends PartBase {
  kind: 'member';
  fileOffset: number;
  size: number;
}

/** What a scanner hands to `ScanContext.inspect`: the scan adds the path and format. */
export type InspectedInput = WithoutPlace<InspectedPart>;
type WithoutPlace<T> = T extends unknown ? Omit<T, 'path' | 'format'> : never;

export interface Inspected {
  parts: InspectedPart[];
  /** Parts not kept because a bound was reached. */
  omitted: number;
}

export const INSPECT_LIMITS = {
  maxParts: 64,
  /** Rows (imports, tensors, entries, layers) kept per file, over all parts. */
  maxRows: 200_000,
  maxTensors: 100_000,
  maxImports: 5_000,
  maxEntries: 2_000,
  maxLayers: 10_000,
  maxName: 300,
  maxValue: 400
} as const;

/** Shortens file-provided text kept in an inspected part. */
export function inspectedText(text: string, max: number = INSPECT_LIMITS.maxName): string {
  return shorten(text, max);
}

export function rowsOf(part: InspectedInput): number {
  switch (part.kind) {
    case 'pickle-imports':
      return part.imports.length;
    case 'tensors':
      return part.tensors.length;
    case 'metadata':
      return part.entries.length;
    case 'layers':
      return part.layers.length;
    case 'member':
      return 0;
  }
}

/** The part with its list cut to `rows` entries (its `total` still counts every one). */
export function capRows(part: InspectedInput, rows: number): InspectedInput {
  if (rowsOf(part) <= rows) return part;
  switch (part.kind) {
    case 'pickle-imports':
      return { ...part, imports: part.imports.slice(0, rows) };
    case 'tensors':
      return { ...part, tensors: part.tensors.slice(0, rows) };
    case 'metadata':
      return { ...part, entries: part.entries.slice(0, rows) };
    case 'layers':
      return { ...part, layers: part.layers.slice(0, rows) };
    default:
      return part;
  }
}

/** Collects a file's parts within INSPECT_LIMITS. */
export class InspectedCollector {
  readonly parts: InspectedPart[] = [];
  omitted = 0;
  private rows = 0;

  add(part: InspectedInput, path: readonly string[], format: string): void {
    if (this.parts.length >= INSPECT_LIMITS.maxParts) {
      this.omitted++;
      return;
    }
    const kept = capRows(part, INSPECT_LIMITS.maxRows - this.rows);
    this.rows += rowsOf(kept);
    this.parts.push({ ...kept, path: [...path], format });
  }

  result(): Inspected | undefined {
    return this.parts.length || this.omitted ? { parts: this.parts, omitted: this.omitted } : undefined;
  }
}
