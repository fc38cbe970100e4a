import type { PolicyEvaluation } from '../policy/types';
import type { TriageReport } from '../triage/types';
import { SAFELOAD_VERSION } from '../version';
import { recordKey } from './record-key';
import { reportKey, withHistory } from './record';
import type { ModelVersionRecord, RegistryStore } from './types';
import { RegistryImportError } from './errors';
import { checkRecord } from './validate';

export const REGISTRY_FORMAT = 'safeload-registry';
export const REGISTRY_FORMAT_VERSION = 1;
export const MAX_EXPORT_BYTES = 256 * 1024 * 1024;
export const MAX_EXPORT_RECORDS = 10_000;

/** The one JSON file a team shares: every model version with its reports and verdicts. */
export interface RegistryExport {
  format: typeof REGISTRY_FORMAT;
  formatVersion: typeof REGISTRY_FORMAT_VERSION;
  tool: { name: 'safeload'; version: string };
  exportedAt: string;
  records: ModelVersionRecord[];
}

export interface ImportSummary {
  added: string[];
  merged: string[];
  unchanged: string[];
  /** Same name@version with a different manifest digest: the local record is kept, the import is not applied. */
  conflicts: { record: string; local: string | null; incoming: string | null }[];
}

export async function exportRegistry(
  store: RegistryStore,
  now = new Date().toISOString()
): Promise<RegistryExport> {
  return {
    format: REGISTRY_FORMAT,
    formatVersion: REGISTRY_FORMAT_VERSION,
    tool: { name: 'safeload', version: SAFELOAD_VERSION },
    exportedAt: now,
    records: await store.list()
  };
}

export function serializeRegistry(exported: RegistryExport): string {
  return `${JSON.stringify(exported, null, 2)}\n`;
}

/** Validates an export file: shape, sizes, dates, digests, and that each record's reports are its own. */
export function parseRegistryExport(text: string): RegistryExport {
  if (text.length > MAX_EXPORT_BYTES)
    throw new RegistryImportError(
      'REGISTRY_TOO_LARGE',
      'the file',
      `is larger than ${MAX_EXPORT_BYTES} bytes`
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RegistryImportError('REGISTRY_SYNTAX', 'the file', 'is not JSON');
  }
  if (typeof value !== 'object' || value === null)
    throw new RegistryImportError('REGISTRY_SYNTAX', 'the file', 'must hold an object');
  const v = value as Record<string, unknown>;
  if (v.format !== REGISTRY_FORMAT)
    throw new RegistryImportError('REGISTRY_FORMAT', 'format', `must be "${REGISTRY_FORMAT}"`);
  if (v.formatVersion !== REGISTRY_FORMAT_VERSION)
    throw new RegistryImportError(
      'REGISTRY_FORMAT',
      'formatVersion',
      `${JSON.stringify(v.formatVersion)} is not supported`
    );
  if (typeof v.exportedAt !== 'string' || Number.isNaN(Date.parse(v.exportedAt)))
    throw new RegistryImportError('REGISTRY_INVALID', 'exportedAt', 'must be an ISO date-time');
  if (!Array.isArray(v.records))
    throw new RegistryImportError('REGISTRY_INVALID', 'records', 'must be a list');
  if (v.records.length > MAX_EXPORT_RECORDS)
    throw new RegistryImportError(
      'REGISTRY_TOO_LARGE',
      'records',
      `has more than ${MAX_EXPORT_RECORDS} entries`
    );
  const seen = new Set<string>();
  const records = v.records.map((r, i) => {
    const record = checkRecord(r, `records[${i}]`);
    const key = recordKey(record.name, record.version);
    if (seen.has(key))
      throw new RegistryImportError(
        'REGISTRY_DUPLICATE',
        `records[${i}]`,
        `repeats ${record.name}@${record.version}`
      );
    seen.add(key);
    return record;
  });
  return {
    format: REGISTRY_FORMAT,
    formatVersion: REGISTRY_FORMAT_VERSION,
    tool: {
      name: 'safeload',
      version:
        typeof (v.tool as { version?: unknown })?.version === 'string'
          ? (v.tool as { version: string }).version
          : 'unknown'
    },
    exportedAt: v.exportedAt,
    records
  };
}

/** Evaluates the active policy on a triage; null when there is no usable policy. */
export type ImportEvaluator = (report: TriageReport, evaluatedAt: string) => Promise<PolicyEvaluation | null>;

function merge(local: ModelVersionRecord, incoming: ModelVersionRecord): ModelVersionRecord {
  return withHistory(
    {
      ...local,
      source: local.source ?? incoming.source,
      manifestDigest: local.manifestDigest ?? incoming.manifestDigest,
      createdAt: local.createdAt < incoming.createdAt ? local.createdAt : incoming.createdAt,
      updatedAt: local.updatedAt > incoming.updatedAt ? local.updatedAt : incoming.updatedAt
    },
    incoming.reports,
    []
  );
}

/**
 * The verdict of a record whose newest triage came from the file: the active policy evaluated here and now.
 * A triage already in the store is not evaluated again, so re-importing the same file changes nothing.
 */
async function reevaluate(
  record: ModelVersionRecord,
  imported: ReadonlySet<string>,
  evaluate: ImportEvaluator,
  now: string
): Promise<ModelVersionRecord> {
  const newest = record.reports.at(-1);
  if (!newest || !imported.has(reportKey(newest))) return record;
  const evaluation = await evaluate(newest, now);
  return evaluation ? withHistory(record, [], [evaluation]) : record;
}

/**
 * Merges an export into the store. Verdicts are never taken from the file: its evaluations and statuses
 * are dropped and the active policy is evaluated again on each record's newest imported triage (whose
 * summary `parseRegistryExport` already recomputed from its files). New name@version records are added;
 * for existing ones reports are united (by time and content) and the newest evaluation sets the status; a
 * different manifest digest for the same name@version is a conflict and leaves the local record as it is.
 */
export async function importRegistry(
  store: RegistryStore,
  exported: RegistryExport,
  evaluate: ImportEvaluator,
  now = new Date().toISOString()
): Promise<ImportSummary> {
  const summary: ImportSummary = { added: [], merged: [], unchanged: [], conflicts: [] };
  for (const claimed of exported.records) {
    const incoming: ModelVersionRecord = { ...claimed, policyResults: [], status: null };
    const label = `${incoming.name}@${incoming.version}`;
    const local = await store.get(incoming.name, incoming.version);
    const known = new Set(local?.reports.map(reportKey) ?? []);
    const imported = new Set(incoming.reports.map(reportKey).filter((k) => !known.has(k)));
    if (!local) {
      await store.put(await reevaluate(withHistory(incoming, [], []), imported, evaluate, now));
      summary.added.push(label);
      continue;
    }
    if (local.manifestDigest && incoming.manifestDigest && local.manifestDigest !== incoming.manifestDigest) {
      summary.conflicts.push({
        record: label,
        local: local.manifestDigest,
        incoming: incoming.manifestDigest
      });
      continue;
    }
    const merged = await reevaluate(merge(local, incoming), imported, evaluate, now);
    if (JSON.stringify(merged) === JSON.stringify(local)) summary.unchanged.push(label);
    else {
      await store.put(merged);
      summary.merged.push(label);
    }
  }
  return summary;
}
