export { buildTriageReport, type TriageParts } from './build';
export { primaryFormat, pickleFacts, triageFile } from './file-facts';
export { licenseFromManifest, licenseFromModelCard } from './license';
export { safetyHeadline, safetySummary, verdictCounts, type SafetySummary } from './safety';
export {
  dependencyText,
  integrityOf,
  manifestSignerText,
  provenanceText,
  signatureText,
  wrongSigner,
  type IntegrityState
} from './describe';
export type { SignatureInput } from './signature';
export type { ProvenanceInput } from './provenance';
export type { DependencyInput } from './dependencies';
export * from './types';
