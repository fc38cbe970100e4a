import type { PolicyRule } from '../core/policy/types';

export const SCAN_COMPLETE_RULE = 'safeload/scan-complete';

/**
 * The gate's own rule, added to whatever policy set runs: a model that was not fully analysed (a bound, an
 * unsupported compression, a member or folder entry not read) does not pass. `--allow-incomplete` turns it
 * into a warning. (The built-in baseline set may carry the same rule; this one holds for custom sets too.)
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
