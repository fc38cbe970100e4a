// Dependency audit core: parse requirement and lock files, look packages up in OSV (online or an offline
// all.zip), merge, rate and report. DOM-free: the app runs it in a worker, the CLI and tests in Node.
export {
  auditDependencies,
  type AuditOptions,
  type AuditReport,
  type AuditedPackage,
  type FixSuggestion
} from './audit';
export { collectDependencies, type CollectedDependencies } from './collect';
export { cvssScore, type CvssScore } from './cvss';
export { mergeRecords, vulnLevel, type AuditedVuln } from './merge-vulns';
export { inputKindOf, normalizeName, type InputKind } from './names';
export {
  MemoryOsvCache,
  OSV_API,
  OsvApiError,
  OsvClient,
  type FetchLike,
  type OsvCache,
  type OsvClientOptions
} from './osv-client';
export {
  MemoryOsvIndexStore,
  OfflineOsvSource,
  type OsvDatabaseInfo,
  type OsvIndexStore
} from './osv-database';
export { asOsvRecord, OsvRecordError, type OsvRecord } from './osv-record';
export { indexOsvDatabase, OSV_ZIP_LIMITS, readOsvZip, type OsvZipBatch, type OsvZipLimits } from './osv-zip';
export { toPipAuditJson, type PipAuditJson } from './report-pip-audit';
export { auditToSarif } from './report-sarif';
export { severityOf, type VulnSeverity } from './severity';
export type { PackageQuery, VulnSource } from './source';
export type { Dependency, InputProblem, ReadText } from './types';
export { recordAffects } from './version-match';
