export { BUILTIN_POLICY, BUILTIN_POLICY_NAME } from './builtin';
export { checkPolicySet, evaluatePolicy, limitResult, summariseResults } from './evaluate';
export { parsePolicySet, PolicySetError, type LoadedPolicySet } from './policy-set';
export * from './types';
