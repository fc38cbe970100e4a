import {
  BASELINE_POLICY_NAME,
  builtinPolicy,
  evaluatePolicy,
  STRICT_POLICY_NAME,
  type PolicyEvaluation,
  type PolicySet
} from '../core/policy';
import type { TriageReport } from '../core/triage';
import type { PolicyRunner } from '../workers/policy-runner';
import { checkPolicyText, DEFAULT_POLICY_TEXT, POLICY_STORAGE_KEY } from './policy-text';

type TextStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const POLICY_CHOICE_KEY = 'safeload.policy-choice';
/** The built-in sets, or the analyst's own text. */
export type PolicyChoice = typeof BASELINE_POLICY_NAME | typeof STRICT_POLICY_NAME | 'custom';
const CHOICES: readonly PolicyChoice[] = [BASELINE_POLICY_NAME, STRICT_POLICY_NAME, 'custom'];

/**
 * The active policy: the baseline (the default), the strict set, or the analyst's own text (persisted in
 * localStorage) with its parsed set and positioned problems. Every edit is checked at once; a custom set is
 * usable when the file parses, even if an expression is wrong (that rule then evaluates to "error", and
 * the model's status to error: fail closed).
 */
export class PolicyState {
  text = $state(DEFAULT_POLICY_TEXT);
  choice = $state<PolicyChoice>(BASELINE_POLICY_NAME);
  readonly checked = $derived(checkPolicyText(this.text));
  readonly set: PolicySet | null = $derived(
    this.choice === 'custom' ? this.checked.set : builtinPolicy(this.choice)
  );
  readonly valid = $derived(this.checked.set !== null && this.checked.problems.length === 0);

  /** `runner` evaluates in a worker under a time limit (the app); without one, in process (tests, Node). */
  constructor(
    private readonly storage: TextStorage | null,
    private readonly runner: PolicyRunner | null = null
  ) {
    const saved = readSafely(() => storage?.getItem(POLICY_STORAGE_KEY) ?? null);
    if (saved) this.text = saved;
    const choice = readSafely(() => storage?.getItem(POLICY_CHOICE_KEY) ?? null);
    // An edited policy from before the choice existed stays the active one.
    if (choice && (CHOICES as readonly string[]).includes(choice)) this.choice = choice as PolicyChoice;
    else if (saved) this.choice = 'custom';
  }

  choose(choice: PolicyChoice): void {
    this.choice = choice;
    readSafely(() => this.storage?.setItem(POLICY_CHOICE_KEY, choice));
  }

  /** Stores the text as the custom policy. */
  save(): void {
    readSafely(() => this.storage?.setItem(POLICY_STORAGE_KEY, this.text));
  }

  /** Editing the text makes it the active policy. */
  edit(text: string): void {
    this.text = text;
    this.save();
    if (this.choice !== 'custom') this.choose('custom');
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
