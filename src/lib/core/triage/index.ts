export { buildTriageReport } from './build';
export { licenseFromManifest } from './license';
export { safetyHeadline, safetySummary, type SafetySummary } from './safety';
export { dependencyText, integrityOf, provenanceText, signatureText, type IntegrityState } from './describe';
export type { SignatureInput } from './signature';
export type { ProvenanceInput } from './provenance';
export type { DependencyInput } from './dependencies';
export * from './types';
