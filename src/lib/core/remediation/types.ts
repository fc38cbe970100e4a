import type { PolicyOutcome, RuleSeverity } from '../policy/types';

export type ActionKind =
  | 'convert-to-safetensors'
  | 'quarantine'
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

export interface RemediationPlan {
  model: { name: string; version: string | null; source: string | null };
  policy: string;
  outcome: PolicyOutcome;
  evaluatedAt: string;
  actions: RemediationAction[];
}
