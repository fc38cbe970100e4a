export { buildTriageReport } from './build';
export type { SignatureInput } from './signature';
export type { ProvenanceInput } from './provenance';
export type { DependencyInput } from './dependencies';
export * from './types';
