import { SEVERITIES, maxVerdict, type FileReport, type Verdict } from '../findings';
import { SAFELOAD_VERSION } from '../version';
import { triageDependencies, type DependencyInput } from './dependencies';
import { triageFile } from './file-facts';
import { triageProvenance, type ProvenanceInput } from './provenance';
import { triageSignature, type SignatureInput } from './signature';
import {
  TRIAGE_SCHEMA_VERSION,
  type SeverityCounts,
  type TriageFile,
  type TriageLicense,
  type TriageModel,
  type TriageReport,
  type TriageSummary
} from './types';

/** The parts' plain-data results, as the scanner, provenance, signing and dependency stages return them. */
export interface TriageParts {
  model: { name: string; version?: string | null; source?: string | null; vendor?: string | null };
  /** Scan reports with paths relative to the model folder. */
  files: readonly FileReport[];
  signature?: SignatureInput;
  provenance?: ProvenanceInput | null;
  dependencies?: DependencyInput;
  license?: TriageLicense | null;
  /** ISO time of the triage; defaults to now. */
  createdAt?: string;
}

/** The summary of a triage, always derived from its files (never taken from a file). */
export function summarise(files: readonly TriageFile[]): TriageSummary {
  const findingCounts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  let verdict: Verdict = 'clean';
  for (const f of files) {
    verdict = maxVerdict(verdict, f.verdict);
    for (const finding of f.findings) findingCounts[finding.severity]++;
  }
  return {
    verdict,
    complete: files.every((f) => f.complete),
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    findingCounts
  };
}

function model(m: TriageParts['model']): TriageModel {
  return { name: m.name, version: m.version ?? null, source: m.source ?? null, vendor: m.vendor ?? null };
}

/** Assembles the whole triage of one model from its parts; every field is present (null when unknown). */
export function buildTriageReport(parts: TriageParts): TriageReport {
  const files = parts.files.map(triageFile);
  return {
    schemaVersion: TRIAGE_SCHEMA_VERSION,
    tool: { name: 'safeload', version: SAFELOAD_VERSION },
    createdAt: parts.createdAt ?? new Date().toISOString(),
    model: model(parts.model),
    summary: summarise(files),
    files,
    signature: triageSignature(parts.signature),
    provenance: triageProvenance(parts.provenance),
    dependencies: triageDependencies(parts.dependencies),
    license: parts.license ?? { id: null, source: null }
  };
}
