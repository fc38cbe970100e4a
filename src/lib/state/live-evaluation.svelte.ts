import type { PolicyEvaluation } from '../core/policy';
import type { TriageReport } from '../core/triage';
import type { PolicyState } from './policy.svelte';

/**
 * The active policy's evaluation of the current report, kept up to date off the main thread. Each change
 * of policy or report supersedes (and ends) the evaluation before it. Create during component init.
 */
export function liveEvaluation(policy: PolicyState, report: () => TriageReport | null) {
  let value = $state.raw<PolicyEvaluation | null>(null);
  let pending = $state(false);
  $effect(() => {
    const current = report();
    const set = policy.set;
    value = null;
    if (!current || !set) {
      pending = false;
      return;
    }
    const controller = new AbortController();
    pending = true;
    policy.evaluate(current, undefined, controller.signal).then(
      (evaluation) => {
        if (controller.signal.aborted) return;
        value = evaluation;
        pending = false;
      },
      () => {
        if (!controller.signal.aborted) pending = false;
      }
    );
    return () => controller.abort();
  });
  return {
    get value() {
      return value;
    },
    get pending() {
      return pending;
    }
  };
}
