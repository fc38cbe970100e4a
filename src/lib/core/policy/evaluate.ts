import type { TriageReport } from '../triage/types';
import { inputShapes } from './cost';
import { compileExpression, expressionError, type RunOptions } from './expression';
import { policyInput } from './input';
import type {
  ExpressionError,
  PolicyEvaluation,
  PolicyRule,
  PolicySet,
  RuleOutcome,
  RuleResult
} from './types';

/** Which expression of a rule a problem is in. */
export type RuleField = 'expression' | 'configured';

/** Compile problems of every rule, for an editor or to refuse a policy before running it. */
export function checkPolicySet(set: PolicySet): { id: string; field: RuleField; error: ExpressionError }[] {
  return set.rules.flatMap((rule) =>
    (['expression', 'configured'] as const).flatMap((field) => {
      const source = rule[field];
      if (source === undefined) return [];
      const compiled = compileExpression(source);
      return compiled.ok ? [] : [{ id: rule.id, field, error: compiled.error }];
    })
  );
}

/** Runs one expression under the run's bounds; a compile or evaluation problem is returned as the error. */
function run(
  source: string,
  input: Record<string, unknown>,
  options: RunOptions
): { value: boolean } | { error: ExpressionError } {
  const compiled = compileExpression(source);
  return compiled.ok ? compiled.run(input, options) : { error: compiled.error };
}

/** How a set is evaluated: a time bound (CLI), a note before each rule (the app's worker, for attribution). */
export interface EvaluateOptions {
  runBounded?: RunOptions['runBounded'];
  /** Called before rule `index` runs. */
  onRule?: (index: number) => void;
  /** Called with each rule's result as soon as it is known. */
  onResult?: (index: number, result: RuleResult) => void;
}

function resultBase(rule: PolicyRule) {
  return {
    id: rule.id,
    severity: rule.severity,
    message: rule.message,
    remediation: rule.remediation ?? null,
    expression: rule.expression
  };
}

/** A rule that was stopped (or never started) by a time bound: an error positioned on the whole expression. */
export function limitResult(rule: PolicyRule, message: string): RuleResult {
  const length = Math.max(1, rule.expression.length);
  return {
    ...resultBase(rule),
    outcome: 'error',
    error: expressionError(rule.expression, 'limit', message, 0, length)
  };
}

/**
 * A rule with a `configured` guard that is false is "not configured" (its requirement is not set up), not a
 * violation; the guard is evaluated under the same bounds, and an error in it is the rule's error.
 */
function evaluateRule(rule: PolicyRule, input: Record<string, unknown>, options: RunOptions): RuleResult {
  const base = resultBase(rule);
  if (rule.configured !== undefined) {
    const configured = run(rule.configured, input, options);
    if ('error' in configured) return { ...base, outcome: 'error', error: configured.error };
    if (!configured.value)
      return {
        ...base,
        message: rule.notConfigured ?? `Not configured: ${rule.configured} is false.`,
        outcome: 'not-configured',
        error: null
      };
  }
  const result = run(rule.expression, input, options);
  if ('error' in result) return { ...base, outcome: 'error', error: result.error };
  return { ...base, outcome: result.value ? 'pass' : 'violation', error: null };
}

/** Evaluates an input document (normally `policyInput(report, set.params)`) against every rule. */
export function evaluateDocument(
  set: PolicySet,
  input: Record<string, unknown>,
  evaluatedAt = new Date().toISOString(),
  options: EvaluateOptions = {}
): PolicyEvaluation {
  const shapes = inputShapes(input);
  const results = set.rules.map((rule, i) => {
    options.onRule?.(i);
    const result = evaluateRule(rule, input, { shapes, runBounded: options.runBounded });
    options.onResult?.(i, result);
    return result;
  });
  return summariseResults(set, results, evaluatedAt);
}

/** The outcome of a set from its rules' results: any error is an error (fail closed), else any deny violation fails. */
export function summariseResults(
  set: PolicySet,
  results: RuleResult[],
  evaluatedAt: string
): PolicyEvaluation {
  const counts: Record<RuleOutcome, number> = { pass: 0, violation: 0, error: 0, 'not-configured': 0 };
  for (const r of results) counts[r.outcome]++;
  const denied = results.some((r) => r.outcome === 'violation' && r.severity === 'deny');
  return {
    policy: { name: set.name, rules: set.rules.length },
    outcome: counts.error > 0 ? 'error' : denied ? 'fail' : 'pass',
    evaluatedAt,
    counts,
    results
  };
}

/** Evaluates a policy set on the triage report of one model. */
export function evaluatePolicy(
  set: PolicySet,
  report: TriageReport,
  evaluatedAt?: string,
  options?: EvaluateOptions
): PolicyEvaluation {
  return evaluateDocument(set, policyInput(report, set.params), evaluatedAt, options);
}
