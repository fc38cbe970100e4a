import type { Severity, Verdict } from '../findings';
import type { MatchStatus } from '../provenance/match';

export const TRIAGE_SCHEMA_VERSION = 1;

/** Who the model is, as the analyst or the CI job names it. */
export interface TriageModel {
  name: string;
  version: string | null;
  /** Where it came from: a Hub repo id, a URL, a local path. */
  source: string | null;
  vendor: string | null;
}

export interface TriageFinding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  format: string;
  /** Container path joined with " › ". */
  location: string;
  offset: number | null;
}

export interface TriagePickle {
  /** The file is, or contains, a pickle stream. */
  present: boolean;
  /**
   * Every import is in the safe set (what torch.load(weights_only=True) accepts, NumPy arrays, plain
   * containers) and the file was fully analysed. False whenever present is false.
   */
  weightsOnly: boolean;
  /** "module.name" of imports outside the safe set, as the findings list them. */
  unsafeImports: string[];
}

export interface TriageFile {
  path: string;
  size: number;
  sha256: string | null;
  gitSha1: string | null;
  /** The most specific format recognised ("pytorch-zip" rather than "zip"), "unknown" when none. */
  format: string;
  formats: string[];
  verdict: Verdict;
  complete: boolean;
  findings: TriageFinding[];
  pickle: TriagePickle;
}

export type SeverityCounts = Record<Severity, number>;

export interface TriageSummary {
  verdict: Verdict;
  complete: boolean;
  files: number;
  bytes: number;
  findingCounts: SeverityCounts;
}

export type SignatureMethod = 'keyless' | 'key' | 'certificate';

export interface TriageSignature {
  /** A signature file was found or given. */
  present: boolean;
  /** Verification was attempted (a signature and a signer policy were both available). */
  checked: boolean;
  verified: boolean;
  method: SignatureMethod | null;
  /** Every identity of the signer (certificate SANs); empty for a bare key. */
  identities: string[];
  /** The identity the signer policy asked for and the signature proved; null when none was proved. */
  identity: string | null;
  issuer: string | null;
  /** SHA-256 of the signing key (SubjectPublicKeyInfo), when the signature named a key or certificate. */
  keyFingerprint: string | null;
  checks: { id: string; ok: boolean; reason: string }[];
  /** Why verification could not run or stopped. */
  error: string | null;
}

export interface ProvenanceProblem {
  path: string;
  status: MatchStatus;
  detail: string | null;
}

export interface TriageProvenance {
  /** A provenance manifest was given. */
  present: boolean;
  /** Every file the manifest lists is present and matches, and nothing else is there. */
  verified: boolean;
  /** The manifest names a full 40-hex commit (not a branch), so it pins one revision. */
  pinned: boolean;
  commit: string | null;
  requestedRevision: string | null;
  repoId: string | null;
  purl: string | null;
  manifestDigest: string | null;
  /**
   * Who vouches for the manifest: "unsigned" (a claim anyone could make), or a signature by a key
   * (fingerprint) that verified, did not, or was not checked because the key is unknown.
   */
  manifestSignature: {
    state: 'unsigned' | 'verified' | 'invalid' | 'unknown-key';
    fingerprint: string | null;
  };
  counts: Record<MatchStatus, number>;
  /** Files that are not verified, with why. */
  problems: ProvenanceProblem[];
}

export interface TriageVuln {
  id: string;
  aliases: string[];
  /** Upper case as advisories write it: CRITICAL, HIGH, MEDIUM, LOW, or UNKNOWN. */
  severity: string;
  score: number | null;
  fixed: string[];
  summary: string;
}

export interface TriageDependency {
  name: string;
  version: string;
  purl: string;
  declaredIn: string[];
  vulns: TriageVuln[];
  /** The smallest upgrade that fixes every vulnerability, when one is known. */
  fixVersion: string | null;
}

export interface TriageDependencies {
  /** Dependency files found in the model (requirements.txt, lock files, pyproject.toml). */
  inputs: string[];
  /** Whether vulnerabilities were looked up, and where. */
  audited: boolean;
  source: 'online' | 'offline' | null;
  /** Why the audit did not run, when it did not. */
  notAuditedReason: string | null;
  packages: TriageDependency[];
  /** Declared packages that could not be audited (unpinned, URLs, paths). */
  skipped: { name: string; specifier: string; reason: string }[];
}

export interface TriageLicense {
  id: string | null;
  source: 'model-card' | 'manifest' | 'given' | null;
}

/** The whole triage of one model: plain JSON data, stored in the registry and evaluated by policies. */
export interface TriageReport {
  schemaVersion: typeof TRIAGE_SCHEMA_VERSION;
  tool: { name: 'safeload'; version: string };
  createdAt: string;
  model: TriageModel;
  summary: TriageSummary;
  files: TriageFile[];
  signature: TriageSignature;
  provenance: TriageProvenance;
  dependencies: TriageDependencies;
  license: TriageLicense;
}
