export { planRemediation } from './actions';
export { remediationIssue, remediationJson, remediationMarkdown } from './markdown';
export type { RemediationPlan } from './types';
