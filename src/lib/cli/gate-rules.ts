import { FULLY_ANALYSED_RULE } from '../core/policy/builtin';
import type { PolicyRule, PolicySet } from '../core/policy/types';

export const SCAN_COMPLETE_RULE = 'safeload/scan-complete';

/**
 * The gate's own rule, added to whatever policy set runs: a model that was not fully analysed (a bound, an
 * unsupported compression, a member or folder entry not read) does not pass. `--allow-incomplete` turns it
 * into a warning. The built-in sets carry the same requirement as `fully-analysed`; this one holds for custom
 * sets without it.
 */
export function scanCompleteRule(allowIncomplete: boolean): PolicyRule {
  return {
    id: SCAN_COMPLETE_RULE,
    severity: allowIncomplete ? 'warn' : 'deny',
    expression: 'model.complete',
    message: 'Part of the model was not fully analysed, so it is not known to be safe.',
    remediation:
      'Read the "not fully analysed" findings: re-export the file in a format Safeload reads in full, or accept the risk explicitly with --allow-incomplete.'
  };
}

/**
 * The set the gate evaluates: completeness is always required. A set that has the built-in `fully-analysed`
 * rule (the baseline, the strict set, anything extending them) keeps it as the one completeness rule;
 * others get `safeload/scan-complete`. `--allow-incomplete` turns whichever it is into a warning.
 */
export function withCompletenessRule(set: PolicySet, allowIncomplete: boolean): PolicySet {
  if (!set.rules.some((r) => r.id === FULLY_ANALYSED_RULE))
    return { ...set, rules: [...set.rules, scanCompleteRule(allowIncomplete)] };
  if (!allowIncomplete) return set;
  return {
    ...set,
    rules: set.rules.map((r) => (r.id === FULLY_ANALYSED_RULE ? { ...r, severity: 'warn' as const } : r))
  };
}
