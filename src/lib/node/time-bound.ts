import { createContext, runInContext } from 'node:vm';
import { PolicyError } from '../core/policy/errors';

/** Per rule and for the whole policy; a hostile policy ends the gate within seconds (exit 2). */
export const RULE_TIME_LIMIT_MS = 2_000;
export const POLICY_TIME_LIMIT_MS = 10_000;

/**
 * A `runBounded` for policy evaluation in Node. V8 interrupts a script run with a timeout wherever it is,
 * including inside a backtracking regular expression or a closure from this realm, so the evaluation is
 * started from a tiny script in a separate context purely to get that interrupt. Time spent is counted
 * across rules: once the policy's budget is gone, the remaining rules are not run.
 */
export function timeBound(
  perRuleMs = RULE_TIME_LIMIT_MS,
  totalMs = POLICY_TIME_LIMIT_MS
): <T>(evaluate: () => T) => T {
  const context = createContext({ evaluate: null as unknown });
  let spent = 0;
  return <T>(evaluate: () => T): T => {
    const left = totalMs - spent;
    if (left < 1)
      throw new PolicyError(
        'EVALUATION_TIMEOUT',
        `not evaluated: earlier rules used up the policy's ${totalMs / 1000} s evaluation time`
      );
    const limit = Math.min(perRuleMs, left);
    const started = performance.now();
    context.evaluate = evaluate;
    try {
      return runInContext('evaluate()', context, { timeout: Math.max(1, Math.floor(limit)) }) as T;
    } catch (err) {
      if ((err as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
        throw new PolicyError(
          'EVALUATION_TIMEOUT',
          `stopped after ${(limit / 1000).toFixed(1)} s: a rule may run at most ${perRuleMs / 1000} s`
        );
      throw err;
    } finally {
      context.evaluate = null;
      spent += performance.now() - started;
    }
  };
}
