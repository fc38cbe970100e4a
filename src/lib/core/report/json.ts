import { formatLocationPath, type FileOrigin, type FileReport, type Finding } from '../findings';
import type { Inspected } from '../inspected';
import { SAFELOAD_VERSION } from '../version';

export interface JsonFinding {
  ruleId: string;
  severity: Finding['severity'];
  title: string;
  message: string;
  location: { path: string; container: string[]; offset?: number };
  evidence: Finding['evidence'];
}

export interface JsonFile {
  path: string;
  size: number;
  sha256?: string;
  gitSha1?: string;
  formats: string[];
  verdict: FileReport['verdict'];
  complete: boolean;
  findings: JsonFinding[];
  facts: Record<string, string | number | boolean>;
  /** Present for files read on the Hub or from a hub cache. */
  origin?: FileOrigin;
  /** What the scanners read (pickle imports, tensor tables, metadata, layers); absent when nothing was listed. */
  inspected?: Inspected;
}

export interface JsonReport {
  version: string;
  files: JsonFile[];
}

/** The CLI's `--json` contract: fields may be added, never renamed or removed. */
export function toJsonReport(files: readonly FileReport[]): JsonReport {
  return {
    version: SAFELOAD_VERSION,
    files: files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      gitSha1: f.gitSha1,
      formats: f.formats,
      verdict: f.verdict,
      complete: f.complete,
      findings: f.findings.map((x) => ({
        ruleId: x.ruleId,
        severity: x.severity,
        title: x.title,
        message: x.message,
        location: {
          path: formatLocationPath(x.location.path),
          container: x.location.path,
          offset: x.location.offset
        },
        evidence: x.evidence
      })),
      facts: f.facts ?? {},
      ...(f.origin ? { origin: f.origin } : {}),
      ...(f.inspected ? { inspected: f.inspected } : {})
    }))
  };
}
