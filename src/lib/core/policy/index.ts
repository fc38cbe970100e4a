export {
  BASELINE_POLICY,
  BASELINE_POLICY_NAME,
  BUILTIN_POLICY,
  BUILTIN_POLICY_NAMES,
  builtinPolicy,
  DEFAULT_ALLOWED_LICENSES,
  LOADER_PACKAGES,
  STRICT_POLICY,
  STRICT_POLICY_NAME
} from './builtin';
export {
  checkPolicySet,
  evaluateDocument,
  evaluatePolicy,
  limitResult,
  summariseResults,
  type EvaluateOptions,
  type RuleField
} from './evaluate';
export { compileExpression, EvaluationTimeout, positionOf, POLICY_VARIABLES } from './expression';
export { policyInput } from './input';
export {
  parsePolicySet,
  policySetFromValue,
  PolicySetError,
  type LoadedPolicySet,
  type PolicyProblem
} from './policy-set';
export * from './types';
export { addPolicyResults, type PolicyAnchor } from './sarif';
