export {
  BASELINE_POLICY,
  BASELINE_POLICY_NAME,
  builtinPolicy,
  DEFAULT_ALLOWED_LICENSES,
  STRICT_POLICY,
  STRICT_POLICY_NAME
} from './builtin';
export { checkPolicySet, evaluatePolicy, limitResult, summariseResults } from './evaluate';
export { parsePolicySet, type LoadedPolicySet } from './policy-set';
export * from './types';
