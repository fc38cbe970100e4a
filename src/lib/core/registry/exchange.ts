import { SAFELOAD_VERSION } from '../version';
import { recordKey } from './memory-store';
import { withHistory } from './record';
import type { ModelVersionRecord, RegistryStore } from './types';
import { checkRecord, RegistryImportError } from './validate';

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
    throw new RegistryImportError('the file', `is larger than ${MAX_EXPORT_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RegistryImportError('the file', 'is not JSON');
  }
  if (typeof value !== 'object' || value === null)
    throw new RegistryImportError('the file', 'must hold an object');
  const v = value as Record<string, unknown>;
  if (v.format !== REGISTRY_FORMAT) throw new RegistryImportError('format', `must be "${REGISTRY_FORMAT}"`);
  if (v.formatVersion !== REGISTRY_FORMAT_VERSION)
    throw new RegistryImportError('formatVersion', `${JSON.stringify(v.formatVersion)} is not supported`);
  if (typeof v.exportedAt !== 'string' || Number.isNaN(Date.parse(v.exportedAt)))
    throw new RegistryImportError('exportedAt', 'must be an ISO date-time');
  if (!Array.isArray(v.records)) throw new RegistryImportError('records', 'must be a list');
  if (v.records.length > MAX_EXPORT_RECORDS)
    throw new RegistryImportError('records', `has more than ${MAX_EXPORT_RECORDS} entries`);
  const seen = new Set<string>();
  const records = v.records.map((r, i) => {
    const record = checkRecord(r, `records[${i}]`);
    const key = recordKey(record.name, record.version);
    if (seen.has(key))
      throw new RegistryImportError(`records[${i}]`, `repeats ${record.name}@${record.version}`);
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

function merge(local: ModelVersionRecord, incoming: ModelVersionRecord): ModelVersionRecord {
  const merged = withHistory(
    {
      ...local,
      source: local.source ?? incoming.source,
      manifestDigest: local.manifestDigest ?? incoming.manifestDigest,
      createdAt: local.createdAt < incoming.createdAt ? local.createdAt : incoming.createdAt,
      updatedAt: local.updatedAt > incoming.updatedAt ? local.updatedAt : incoming.updatedAt
    },
    incoming.reports,
    incoming.policyResults
  );
  return merged;
}

/**
 * Merges an export into the store. New name@version records are added; for existing ones reports and
 * evaluations are united (by time and content) and the newest evaluation sets the status; a different
 * manifest digest for the same name@version is a conflict and leaves the local record as it is.
 */
export async function importRegistry(store: RegistryStore, exported: RegistryExport): Promise<ImportSummary> {
  const summary: ImportSummary = { added: [], merged: [], unchanged: [], conflicts: [] };
  for (const incoming of exported.records) {
    const label = `${incoming.name}@${incoming.version}`;
    const local = await store.get(incoming.name, incoming.version);
    if (!local) {
      await store.put(incoming);
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
    const merged = merge(local, incoming);
    if (JSON.stringify(merged) === JSON.stringify(local)) summary.unchanged.push(label);
    else {
      await store.put(merged);
      summary.merged.push(label);
    }
  }
  return summary;
}
