import { ruleName, SarifRules, type SarifLevel, type SarifLog } from '../report/sarif-log';
import type { PolicyEvaluation, RuleSeverity } from './types';

const LEVEL: Record<RuleSeverity, SarifLevel> = {
  deny: 'error',
  warn: 'warning',
  info: 'note'
};
const SECURITY_SEVERITY: Record<RuleSeverity, string> = { deny: '8.0', warn: '5.0', info: '0.0' };

/** Where a policy result points: the policy file at the rule's expression, or the model itself. */
export interface PolicyAnchor {
  uri: string;
  lines?: Record<string, { line: number; column: number }>;
}

/**
 * Adds every violated or failing policy rule to the first run of a SARIF log as a result of rule
 * "policy/<id>", so code scanning shows policy verdicts next to the scan findings.
 */
export function addPolicyResults<T extends SarifLog>(
  log: T,
  evaluation: PolicyEvaluation,
  anchor: PolicyAnchor
): T {
  const run = log.runs[0];
  const rules = new SarifRules(run.tool.driver.rules);
  const failing = evaluation.results.filter((r) => r.outcome === 'violation' || r.outcome === 'error');
  for (const r of failing) {
    const ruleId = `policy/${r.id}`;
    const ruleIndex = rules.indexOf(ruleId, () => ({
      id: ruleId,
      name: `Policy${ruleName(r.id)}`,
      shortDescription: { text: r.message },
      help: { text: r.remediation ?? r.message },
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security', 'policy'] }
    }));
    const at = anchor.lines?.[r.id];
    run.results.push({
      ruleId,
      ruleIndex,
      level: r.outcome === 'error' ? 'error' : LEVEL[r.severity],
      message: {
        text:
          r.outcome === 'error'
            ? `Policy rule ${r.id} could not be evaluated: ${r.error?.message ?? 'unknown error'}`
            : `${r.message}${r.remediation ? ` Remediation: ${r.remediation}` : ''}`
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: anchor.uri },
            ...(at ? { region: { startLine: at.line, startColumn: at.column } } : {})
          }
        }
      ],
      properties: {
        policy: evaluation.policy.name,
        severity: r.severity,
        outcome: r.outcome,
        expression: r.expression
      }
    });
  }
  return log;
}
