import type { TriageReport } from '../triage/types';
import { compileExpression } from './expression';
import { policyInput } from './input';
import type {
  ExpressionError,
  PolicyEvaluation,
  PolicyRule,
  PolicySet,
  RuleOutcome,
  RuleResult
} from './types';

/** Compile problems of every rule, for an editor or to refuse a policy before running it. */
export function checkPolicySet(set: PolicySet): { id: string; error: ExpressionError }[] {
  return set.rules.flatMap((rule) => {
    const compiled = compileExpression(rule.expression);
    return compiled.ok ? [] : [{ id: rule.id, error: compiled.error }];
  });
}

function evaluateRule(rule: PolicyRule, input: Record<string, unknown>): RuleResult {
  const base = {
    id: rule.id,
    severity: rule.severity,
    message: rule.message,
    remediation: rule.remediation ?? null,
    expression: rule.expression
  };
  const compiled = compileExpression(rule.expression);
  if (!compiled.ok) return { ...base, outcome: 'error', error: compiled.error };
  const result = compiled.run(input);
  if ('error' in result) return { ...base, outcome: 'error', error: result.error };
  return { ...base, outcome: result.value ? 'pass' : 'violation', error: null };
}

/** Evaluates an input document (normally `policyInput(report, set.params)`) against every rule. */
export function evaluateDocument(
  set: PolicySet,
  input: Record<string, unknown>,
  evaluatedAt = new Date().toISOString()
): PolicyEvaluation {
  const results = set.rules.map((rule) => evaluateRule(rule, input));
  const counts: Record<RuleOutcome, number> = { pass: 0, violation: 0, error: 0 };
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
export function evaluatePolicy(set: PolicySet, report: TriageReport, evaluatedAt?: string): PolicyEvaluation {
  return evaluateDocument(set, policyInput(report, set.params), evaluatedAt);
}
