import { callback, connect, type Remote } from './comlink';
import {
  limitResult,
  summariseResults,
  type PolicyEvaluation,
  type PolicySet,
  type RuleResult
} from '../core/policy';
import type { TriageReport } from '../core/triage';
import type { PolicyWorkerApi } from './policy-api';

/** A rule may run this long in the worker before the worker is ended; the whole policy this long. */
export const RULE_TIME_LIMIT_MS = 3_000;
export const POLICY_TIME_LIMIT_MS = 10_000;

export interface PolicyWorkerHandle {
  api: Pick<Remote<PolicyWorkerApi>, 'evaluateRules'>;
  /** Rejects when the worker dies (out of memory, failed load). */
  crashed: Promise<never>;
  terminate(): void;
}

export interface PolicyRunnerOptions {
  startWorker?: () => PolicyWorkerHandle;
  ruleTimeMs?: number;
  policyTimeMs?: number;
  now?: () => number;
  /** Wraps the worker callbacks (callback() in the browser; identity for an in-process fake). */
  proxy?: <T extends object>(callback: T) => T;
}

export interface PolicyRunner {
  /** Evaluates the set on the report; rules that overrun their time are errors, positioned on the rule. */
  evaluate(
    set: PolicySet,
    report: TriageReport,
    evaluatedAt?: string,
    signal?: AbortSignal
  ): Promise<PolicyEvaluation>;
  dispose(): void;
}

function startModuleWorker(): PolicyWorkerHandle {
  const worker = new Worker(new URL('./policy.worker.ts', import.meta.url), { type: 'module' });
  return connect<PolicyWorkerApi>(
    worker,
    (message) => new Error(message || 'the policy worker stopped unexpectedly')
  );
}

export class EvaluationAborted extends Error {
  override name = 'AbortError';
}

type SliceEnd = { kind: 'done'; results: RuleResult[] } | { kind: 'stopped'; index: number; why: string };

/**
 * Runs policy evaluation in a worker, one evaluation at a time. A rule that runs longer than its limit
 * ends the worker (the only way to stop synchronous code), becomes a "limit" error, and evaluation goes
 * on with the next rule in a fresh worker until the policy's own time is spent. The page never blocks,
 * and a policy saved with a runaway rule cannot freeze later sessions.
 */
export function createPolicyRunner(options: PolicyRunnerOptions = {}): PolicyRunner {
  const start = options.startWorker ?? startModuleWorker;
  const ruleMs = options.ruleTimeMs ?? RULE_TIME_LIMIT_MS;
  const policyMs = options.policyTimeMs ?? POLICY_TIME_LIMIT_MS;
  const now = options.now ?? (() => performance.now());
  const proxy = options.proxy ?? callback;
  let handle: PolicyWorkerHandle | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  function stopWorker(): void {
    handle?.terminate();
    handle = null;
  }

  function runSlice(
    set: PolicySet,
    report: TriageReport,
    from: number,
    results: RuleResult[],
    signal?: AbortSignal
  ): Promise<SliceEnd> {
    const worker = (handle ??= start());
    let current = from;
    return new Promise<SliceEnd>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (end: SliceEnd | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (end instanceof Error) reject(end);
        else resolve(end);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stopWorker();
          finish({ kind: 'stopped', index: current, why: `stopped after ${ruleMs / 1000} s` });
        }, ruleMs);
      };
      const onAbort = () => {
        stopWorker();
        finish(new EvaluationAborted('the evaluation was superseded'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      arm();
      worker.crashed.catch((err: Error) => {
        if (handle === worker) handle = null;
        finish({ kind: 'stopped', index: current, why: `the evaluation failed (${err.message})` });
      });
      worker.api
        .evaluateRules(
          set,
          report,
          from,
          proxy((index: number) => {
            current = index;
            arm();
          }),
          proxy((index: number, result: RuleResult) => {
            results[index] = result;
          })
        )
        .then(
          (done) => finish({ kind: 'done', results: done }),
          (err: unknown) =>
            finish({ kind: 'stopped', index: current, why: `the evaluation failed (${String(err)})` })
        );
    });
  }

  async function evaluateNow(
    set: PolicySet,
    report: TriageReport,
    evaluatedAt: string,
    signal?: AbortSignal
  ): Promise<PolicyEvaluation> {
    const results: RuleResult[] = new Array(set.rules.length);
    const started = now();
    let from = 0;
    while (from < set.rules.length) {
      if (now() - started >= policyMs) {
        for (let i = from; i < set.rules.length; i++)
          results[i] = limitResult(
            set.rules[i],
            `not evaluated: earlier rules used up the policy's ${policyMs / 1000} s evaluation time`
          );
        break;
      }
      const end = await runSlice(set, report, from, results, signal);
      if (end.kind === 'done') {
        end.results.forEach((r, i) => (results[from + i] = r));
        break;
      }
      results[end.index] = limitResult(
        set.rules[end.index],
        `${end.why}: a rule may run at most ${ruleMs / 1000} s`
      );
      from = end.index + 1;
    }
    return summariseResults(set, results, evaluatedAt);
  }

  return {
    evaluate(set, report, evaluatedAt = new Date().toISOString(), signal) {
      const run = queue.then(() => {
        if (signal?.aborted) throw new EvaluationAborted('the evaluation was superseded');
        return evaluateNow(set, report, evaluatedAt, signal);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    dispose: stopWorker
  };
}
