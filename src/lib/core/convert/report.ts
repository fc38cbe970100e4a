import type { FileReport, Severity, Verdict } from '../findings';
import type { InputFormat } from './extraction';
import type { Alias, SharedCopy } from './plan';
import type { DroppedItem, Refusal } from './state-dict';
import type { NotExecuted } from './unpickler';

/** A scan verdict as it goes into the conversion report. */
export interface ScanSummary {
  verdict: Verdict;
  complete: boolean;
  findings: { ruleId: string; severity: Severity; title: string }[];
}

export interface ConvertedInput {
  path: string;
  size: number;
  sha256?: string;
  format?: InputFormat;
  /** The normal scanner's verdict on the input (the conversion never loads it). */
  scan?: ScanSummary;
  tensors: number;
  notes: string[];
  /** Why this input could not be read, when it could not. */
  error?: string;
}

export interface WrittenOutput {
  path: string;
  size: number;
  /** SHA-256 of the bytes written. */
  sha256: string;
  tensors: number;
  /** The safetensors scanner's verdict on the file as written (read back). */
  rescan?: ScanSummary;
  /** The header read back lists exactly the planned tensors, dtypes, shapes and offsets. */
  headerMatches?: boolean;
}

export interface ConversionReport {
  ok: boolean;
  /** Why the conversion failed (then nothing was kept, or the output did not verify). */
  error?: string;
  inputs: ConvertedInput[];
  outputs: WrittenOutput[];
  /** model.safetensors.index.json in folder mode. */
  index?: { path: string; sha256: string; size: number };
  tensors: number;
  parameters: number;
  bytes: number;
  aliases: Alias[];
  sharedCopies: SharedCopy[];
  madeContiguous: string[];
  refused: Refusal[];
  dropped: DroppedItem[];
  droppedNotListed: number;
  notExecuted: NotExecuted[];
  durationMs: number;
}

export function summarizeScan(report: FileReport): ScanSummary {
  return {
    verdict: report.verdict,
    complete: report.complete,
    findings: report.findings
      .slice(0, 50)
      .map((f) => ({ ruleId: f.ruleId, severity: f.severity, title: f.title }))
  };
}
