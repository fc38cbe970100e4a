export { BUILTIN_POLICY, BUILTIN_POLICY_NAME, LOADER_PACKAGES } from './builtin';
export {
  checkPolicySet,
  evaluateDocument,
  evaluatePolicy,
  limitResult,
  summariseResults,
  type EvaluateOptions
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
