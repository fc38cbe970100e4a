import { DepsError } from './errors';

/** The parts of an OSV record (schema 1.x) used for matching and reporting. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvAffected {
  package?: { ecosystem?: string; name?: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the shape of a record from the network or a dropped database before anything trusts it:
 * id and modified are required, lists must be lists. Major schema versions other than 1 are refused.
 */
export function asOsvRecord(value: unknown): OsvRecord {
  if (!isObject(value)) throw new DepsError('OSV_RECORD_INVALID', 'an OSV record must be a JSON object');
  if (typeof value.id !== 'string' || value.id === '')
    throw new DepsError('OSV_RECORD_INVALID', 'OSV record without an id');
  if (typeof value.modified !== 'string')
    throw new DepsError('OSV_RECORD_INVALID', `${value.id}: no "modified" date`);
  const schema = typeof value.schema_version === 'string' ? value.schema_version : '1.0.0';
  if (schema.split('.')[0] !== '1')
    throw new DepsError('OSV_RECORD_INVALID', `${value.id}: unsupported OSV schema ${schema}`);
  for (const key of ['aliases', 'affected', 'severity', 'references'] as const) {
    if (value[key] !== undefined && !Array.isArray(value[key]))
      throw new DepsError('OSV_RECORD_INVALID', `${value.id}: "${key}" is not a list`);
  }
  const affected = (value.affected as unknown[] | undefined) ?? [];
  for (const a of affected) {
    if (!isObject(a))
      throw new DepsError('OSV_RECORD_INVALID', `${value.id}: an "affected" entry is not an object`);
    if (a.ranges !== undefined && !Array.isArray(a.ranges))
      throw new DepsError('OSV_RECORD_INVALID', `${value.id}: "ranges" is not a list`);
    if (a.versions !== undefined && !Array.isArray(a.versions))
      throw new DepsError('OSV_RECORD_INVALID', `${value.id}: "versions" is not a list`);
    for (const r of (a.ranges as unknown[] | undefined) ?? []) {
      if (!isObject(r) || !Array.isArray(r.events))
        throw new DepsError('OSV_RECORD_INVALID', `${value.id}: a range without events`);
    }
  }
  return value as unknown as OsvRecord;
}

export function isPypi(affected: OsvAffected): boolean {
  return affected.package?.ecosystem === 'PyPI' || affected.package?.ecosystem?.startsWith('PyPI:') === true;
}
