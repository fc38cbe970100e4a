export { planRemediation } from './actions';
export { mdText, remediationIssue, remediationJson, remediationMarkdown } from './markdown';
export type { ActionKind, RemediationAction, RemediationPlan } from './types';
