export { buildTriageReport, type TriageParts } from './build';
export { primaryFormat, pickleFacts, triageFile } from './file-facts';
export { licenseFromModelCard } from './license';
export type { SignatureInput } from './signature';
export type { ProvenanceInput } from './provenance';
export type { DependencyInput } from './dependencies';
export * from './types';
