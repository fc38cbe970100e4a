import { CodedError } from '../errors';
import type { PolicyProblem } from './policy-set';

export type PolicyErrorCode =
  /** A policy file or value that is not a valid policy set: `problems` says where and why. */
  | 'POLICY_SET_INVALID'
  /** A time bound stopped a rule's evaluation (the rule gets a positioned "limit" error). */
  | 'EVALUATION_TIMEOUT';

export class PolicyError extends CodedError<PolicyErrorCode> {
  override readonly name = 'PolicyError';

  constructor(
    code: PolicyErrorCode,
    message: string,
    readonly problems: readonly PolicyProblem[] = []
  ) {
    super(code, message);
  }
}

/** The error for a policy set with these problems; its message lists them, one a line. */
export function invalidPolicySet(problems: PolicyProblem[]): PolicyError {
  const lines = problems.map((p) => `${p.line ? `${p.line}:${p.column} ` : ''}${p.path}: ${p.message}`);
  return new PolicyError('POLICY_SET_INVALID', lines.join('\n'), problems);
}

export function isInvalidPolicySet(err: unknown): err is PolicyError {
  return err instanceof PolicyError && err.code === 'POLICY_SET_INVALID';
}
