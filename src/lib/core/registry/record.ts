import type { PolicyEvaluation } from '../policy/types';
import type { TriageReport } from '../triage/types';
import type { ModelVersionRecord, RegistryStore } from './types';

/** Reports and evaluations kept per record; the oldest are dropped first. */
export const MAX_HISTORY = 50;

export function reportKey(r: TriageReport): string {
  return `${r.createdAt}|${r.files.map((f) => f.sha256 ?? f.path).join(',')}`;
}

export function evaluationKey(e: PolicyEvaluation): string {
  return `${e.evaluatedAt}|${e.policy.name}`;
}

function byTime<T>(list: T[], time: (x: T) => string): T[] {
  return [...list].sort((a, b) => time(a).localeCompare(time(b))).slice(-MAX_HISTORY);
}

function unionBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): T[] {
  const seen = new Map(a.map((x) => [key(x), x]));
  for (const x of b) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

/** Adds (or merges) reports and evaluations into a record; status follows the newest evaluation. */
export function withHistory(
  record: ModelVersionRecord,
  reports: readonly TriageReport[],
  evaluations: readonly PolicyEvaluation[]
): ModelVersionRecord {
  const mergedReports = byTime(unionBy(record.reports, reports, reportKey), (r) => r.createdAt);
  const mergedResults = byTime(
    unionBy(record.policyResults, evaluations, evaluationKey),
    (e) => e.evaluatedAt
  );
  const times = [
    record.updatedAt,
    ...mergedReports.map((r) => r.createdAt),
    ...mergedResults.map((e) => e.evaluatedAt)
  ];
  return {
    ...record,
    reports: mergedReports,
    policyResults: mergedResults,
    status: mergedResults.at(-1)?.outcome ?? record.status,
    updatedAt: times.sort().at(-1)!
  };
}

/** Files a triage (and its policy verdict) under name@version, creating the record when new. */
export async function recordTriage(
  store: RegistryStore,
  report: TriageReport,
  evaluation: PolicyEvaluation | null,
  now = new Date().toISOString()
): Promise<ModelVersionRecord> {
  const name = report.model.name;
  const version = report.model.version ?? report.provenance.commit ?? 'unversioned';
  const existing = await store.get(name, version);
  const base: ModelVersionRecord = existing ?? {
    name,
    version,
    source: report.model.source,
    manifestDigest: report.provenance.manifestDigest,
    reports: [],
    policyResults: [],
    status: null,
    createdAt: now,
    updatedAt: now
  };
  const record = withHistory(
    { ...base, manifestDigest: base.manifestDigest ?? report.provenance.manifestDigest, updatedAt: now },
    [report],
    evaluation ? [evaluation] : []
  );
  await store.put(record);
  return record;
}
