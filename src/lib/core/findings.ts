import type { Inspected } from './inspected';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A file's verdict: its highest finding severity, or 'clean' when it was fully read and nothing was found. */
export type Verdict = Severity | 'clean';

export function severityRank(s: Verdict): number {
  return s === 'clean' ? -1 : SEVERITIES.indexOf(s);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export function maxVerdict(a: Verdict, b: Verdict): Verdict {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export interface DisassemblyLine {
  offset: number;
  opcode: string;
  arg?: string;
}

/** What an analyst can check. Every field is optional; strings that come from the file are shortened. */
export interface Evidence {
  opcode?: string;
  /** An import as the loader resolves it, e.g. module "posix", name "system". */
  module?: string;
  name?: string;
  /** Imports seen, "module.name", when a finding summarises several. */
  imports?: string[];
  disassembly?: DisassemblyLine[];
  /** A short excerpt of file content (text, JSON, template), never rendered as HTML. */
  excerpt?: string;
  /** Extra key facts (member name, header field, sizes). */
  details?: Record<string, string | number | boolean>;
}

export interface FindingLocation {
  /** Container chain, outermost first: ['model.pt', 'archive/data.pkl']. */
  path: string[];
  offset?: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  /** Plain-language explanation of what this means for someone about to load the file. */
  message: string;
  format: string;
  location: FindingLocation;
  evidence: Evidence;
}

export const PATH_SEPARATOR = ' › ';

export function formatLocationPath(path: readonly string[]): string {
  return path.join(PATH_SEPARATOR);
}

export interface FileReference {
  /** What kind of link: 'external-data', 'shard', 'remote-code', … */
  kind: string;
  /** Path as written in the file, relative to the referring file's folder. */
  target: string;
  /** Optional expectation the referenced file can be checked against, e.g. tensors in a shard. */
  expect?: Record<string, string | number>;
}

export interface FileReport {
  path: string;
  size: number;
  sha256?: string;
  gitSha1?: string;
  formats: string[];
  verdict: Verdict;
  /** False when any part of the file could not be analysed (then a finding says why). */
  complete: boolean;
  findings: Finding[];
  /** Neutral facts the scanners noted ("safetensors.tensors": 291, "onnx.producer": "pytorch"). */
  facts?: Record<string, string | number | boolean>;
  /** Other files of the model this file refers to (checked when a whole folder is scanned). */
  references?: FileReference[];
  /** What the scanners read (imports, tensors, metadata, layers), bounded; absent when nothing was listed. */
  inspected?: Inspected;
  durationMs?: number;
  /** Where the bytes came from when not a local file: a Hub commit read in place, or a hub cache blob. */
  origin?: FileOrigin;
}

export interface FileOrigin {
  kind: 'hub' | 'hub-cache';
  repoType: 'model' | 'dataset' | 'space';
  repoId: string;
  commit: string;
  /** The file's path in the repo. */
  repoPath: string;
  /** Bytes downloaded to scan it (kind 'hub'). */
  bytesFetched?: number;
  /** 'computed' when every byte was hashed here; 'hub-listing' when sha256/gitSha1 are the Hub's word only. */
  digests: 'computed' | 'hub-listing';
  /** The Hub's own scan result for the file (securityFileStatus.status), when it gave one. */
  hubSecurityStatus?: string | null;
  /** The hub cache blob holding the content (its name is the Hub's ETag). */
  blobId?: string;
}

/** Shortens file-provided text for display and reports; never trust its length. */
export function shorten(text: string, max = 200): string {
  const cleaned = text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  );
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
