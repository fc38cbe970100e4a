import type { PolicySet, RuleResult } from '../core/policy';
import type { TriageReport } from '../core/triage';

/** The API exposed by policy.worker.ts: CEL evaluation off the main thread, where a runaway rule can be ended. */
export interface PolicyWorkerApi {
  /**
   * Evaluates rules `from`… of the set in order and returns their results. Each start and result is also
   * reported as it happens, so that when the worker has to be ended, the rules already done are kept.
   */
  evaluateRules(
    set: PolicySet,
    report: TriageReport,
    from: number,
    onRule: (index: number) => void,
    onResult: (index: number, result: RuleResult) => void
  ): Promise<RuleResult[]>;
}
