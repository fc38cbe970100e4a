export const RULE_SEVERITIES = ['deny', 'warn', 'info'] as const;
/** deny: a violation fails the gate; warn and info are reported only. */
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

export interface PolicyRule {
  id: string;
  severity: RuleSeverity;
  /** A CEL expression that is true when the model complies. */
  expression: string;
  /** Shown when the rule is violated. */
  message: string;
  /** What the model owner should do about a violation. */
  remediation?: string;
  /**
   * A CEL expression that is true when the policy (its params) or the run (a manifest, a signer given)
   * configures this requirement. When false the rule is reported as not configured instead of failing:
   * the baseline shows what it does not check rather than failing models for requirements nobody set.
   */
  configured?: string;
  /** Shown when the rule is not configured: what would configure it. */
  notConfigured?: string;
}

export interface PolicySet {
  name: string;
  description?: string;
  /** Values the expressions read as `params.…`. */
  params: Record<string, unknown>;
  rules: PolicyRule[];
}

/** A problem in one expression, positioned inside it (1-based line and column). */
export interface ExpressionError {
  /** limit: the expression would take more steps, or ran longer, than a rule may. */
  kind: 'syntax' | 'type' | 'evaluation' | 'result' | 'limit';
  message: string;
  offset: number;
  length: number;
  line: number;
  column: number;
  /** The expression line with a caret under the problem. */
  excerpt: string;
}

/** not-configured: the rule's requirement is not set up (its `configured` expression is false). */
export type RuleOutcome = 'pass' | 'violation' | 'error' | 'not-configured';

export interface RuleResult {
  id: string;
  severity: RuleSeverity;
  outcome: RuleOutcome;
  message: string;
  remediation: string | null;
  expression: string;
  error: ExpressionError | null;
}

export const RULE_OUTCOMES: readonly RuleOutcome[] = ['pass', 'violation', 'error', 'not-configured'];

/** pass: no deny rule violated; fail: one is; error: some rule could not be evaluated (fail closed). */
export type PolicyOutcome = 'pass' | 'fail' | 'error';

export interface PolicyEvaluation {
  policy: { name: string; rules: number };
  outcome: PolicyOutcome;
  evaluatedAt: string;
  counts: Record<RuleOutcome, number>;
  results: RuleResult[];
}
