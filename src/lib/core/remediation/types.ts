import type { Verdict } from '../findings';
import type { PolicyOutcome, RuleSeverity } from '../policy/types';

export type ActionKind =
  | 'convert-to-safetensors'
  | 'quarantine'
  | 'replace-files'
  | 'request-signature'
  | 'pin-commit'
  | 'upgrade-dependency'
  | 'audit-dependencies'
  | 'review-license'
  | 'rescan'
  | 'follow-policy'
  | 'fix-policy';

/** One concrete thing the model owner does about one violation. */
export interface RemediationAction {
  ruleId: string;
  severity: RuleSeverity;
  kind: ActionKind;
  title: string;
  /** What is affected: file paths, package@version, the signer, the licence. */
  targets: string[];
  steps: string[];
  /** A command to run, when one helps. */
  command?: string;
}

/** Rule counts of the evaluation, so every rendering of the plan (report, issue, JSON) says the same. */
export interface PlanCounts {
  /** Violated rules by severity. */
  violated: Record<RuleSeverity, number>;
  /** Rules that could not be evaluated. */
  errors: number;
  /** Rules whose requirement is not configured (not a failure). */
  notConfigured: number;
  actions: number;
}

/** A file of the model as the report names it: enough to find and quarantine exactly these bytes. */
export interface PlanFile {
  path: string;
  sha256: string | null;
  verdict: Verdict;
}

export interface RemediationPlan {
  model: { name: string; version: string | null; source: string | null };
  policy: string;
  outcome: PolicyOutcome;
  evaluatedAt: string;
  counts: PlanCounts;
  /** Every file of the model, most severe first, with its SHA-256. */
  files: PlanFile[];
  actions: RemediationAction[];
}
