import { evaluatePolicy, type PolicyEvaluation, type PolicySet } from '../core/policy';
import type { TriageReport } from '../core/triage';
import type { PolicyRunner } from '../workers/policy-runner';
import { checkPolicyText, DEFAULT_POLICY_TEXT, POLICY_STORAGE_KEY } from './policy-text';

type TextStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The active policy: its text (persisted in localStorage), the parsed set and positioned problems.
 * Every edit is checked at once; the set is usable when the file parses, even if an expression is
 * wrong (that rule then evaluates to "error", and the model's status to error: fail closed).
 */
export class PolicyState {
  text = $state(DEFAULT_POLICY_TEXT);
  readonly checked = $derived(checkPolicyText(this.text));
  readonly set: PolicySet | null = $derived(this.checked.set);
  readonly valid = $derived(this.checked.set !== null && this.checked.problems.length === 0);

  /** `runner` evaluates in a worker under a time limit (the app); without one, in process (tests, Node). */
  constructor(
    private readonly storage: TextStorage | null,
    private readonly runner: PolicyRunner | null = null
  ) {
    const saved = readSafely(() => storage?.getItem(POLICY_STORAGE_KEY) ?? null);
    if (saved) this.text = saved;
  }

  /** Stores the text as the active policy. */
  save(): void {
    readSafely(() => this.storage?.setItem(POLICY_STORAGE_KEY, this.text));
  }

  edit(text: string): void {
    this.text = text;
    this.save();
  }

  reset(): void {
    this.text = DEFAULT_POLICY_TEXT;
    readSafely(() => this.storage?.removeItem(POLICY_STORAGE_KEY));
  }

  async evaluate(
    report: TriageReport,
    evaluatedAt?: string,
    signal?: AbortSignal
  ): Promise<PolicyEvaluation | null> {
    const set = this.set;
    if (!set) return null;
    return this.runner
      ? this.runner.evaluate(set, report, evaluatedAt, signal)
      : evaluatePolicy(set, report, evaluatedAt);
  }
}

/** Storage may be disabled (private mode, quota); the editor keeps working without persistence. */
function readSafely<T>(action: () => T): T | null {
  try {
    return action();
  } catch {
    return null;
  }
}
