export { planRemediation } from './actions';
export { countsLine, mdText, remediationIssue, remediationJson, remediationMarkdown } from './markdown';
export type { ActionKind, PlanCounts, PlanFile, RemediationAction, RemediationPlan } from './types';
