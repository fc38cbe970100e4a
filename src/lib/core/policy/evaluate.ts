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

/** Runs one expression; a compile or evaluation problem is returned as the error. */
function run(
  source: string,
  input: Record<string, unknown>
): { value: boolean } | { error: ExpressionError } {
  const compiled = compileExpression(source);
  return compiled.ok ? compiled.run(input) : { error: compiled.error };
}

function evaluateRule(rule: PolicyRule, input: Record<string, unknown>): RuleResult {
  const base = {
    id: rule.id,
    severity: rule.severity,
    message: rule.message,
    remediation: rule.remediation ?? null,
    expression: rule.expression
  };
  if (rule.configured !== undefined) {
    const configured = run(rule.configured, input);
    if ('error' in configured) return { ...base, outcome: 'error', error: configured.error };
    if (!configured.value)
      return {
        ...base,
        message: rule.notConfigured ?? `Not configured: ${rule.configured} is false.`,
        outcome: 'not-configured',
        error: null
      };
  }
  const result = run(rule.expression, input);
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
export function evaluatePolicy(set: PolicySet, report: TriageReport, evaluatedAt?: string): PolicyEvaluation {
  return evaluateDocument(set, policyInput(report, set.params), evaluatedAt);
}
