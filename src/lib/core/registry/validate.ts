import { isSeverity } from '../findings';
import { RULE_OUTCOMES } from '../policy/types';
import type { ModelVersionRecord } from './types';

export class RegistryImportError extends Error {
  override name = 'RegistryImportError';
  constructor(
    readonly path: string,
    what: string
  ) {
    super(`Not a valid Safeload registry export: ${path} ${what}.`);
  }
}

type Obj = Record<string, unknown>;
const HEX64 = /^[0-9a-f]{64}$/;
const OUTCOMES = ['pass', 'fail', 'error'];
const VERDICTS = ['clean', 'info', 'low', 'medium', 'high', 'critical'];

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RegistryImportError(path, 'must be an object');
  return v as Obj;
}

function list(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new RegistryImportError(path, 'must be a list');
  if (v.length > max) throw new RegistryImportError(path, `has more than ${max} entries`);
  return v;
}

function text(v: unknown, path: string, max = 2000): string {
  if (typeof v !== 'string' || v.length > max)
    throw new RegistryImportError(path, `must be a string of at most ${max} characters`);
  return v;
}

function nullableText(v: unknown, path: string, max = 2000): void {
  if (v !== null) text(v, path, max);
}

function time(v: unknown, path: string): void {
  if (Number.isNaN(Date.parse(text(v, path, 40))))
    throw new RegistryImportError(path, 'must be an ISO date-time');
}

function bool(v: unknown, path: string): void {
  if (typeof v !== 'boolean') throw new RegistryImportError(path, 'must be a boolean');
}

function oneOf(v: unknown, allowed: readonly string[], path: string): void {
  if (typeof v !== 'string' || !allowed.includes(v))
    throw new RegistryImportError(path, `must be one of ${allowed.join(', ')}`);
}

/** Checks the fields the registry and dashboard rely on; the rest of a report is kept as data. */
function checkReport(v: unknown, path: string, name: string): void {
  const r = obj(v, path);
  if (r.schemaVersion !== 1) throw new RegistryImportError(`${path}.schemaVersion`, 'must be 1');
  time(r.createdAt, `${path}.createdAt`);
  const model = obj(r.model, `${path}.model`);
  if (text(model.name, `${path}.model.name`, 200) !== name)
    throw new RegistryImportError(`${path}.model.name`, `is not the record's name ${name}`);
  const summary = obj(r.summary, `${path}.summary`);
  oneOf(summary.verdict, VERDICTS, `${path}.summary.verdict`);
  const counts = obj(summary.findingCounts, `${path}.summary.findingCounts`);
  for (const [k, n] of Object.entries(counts))
    if (!isSeverity(k) || typeof n !== 'number')
      throw new RegistryImportError(`${path}.summary.findingCounts`, 'has a bad entry');
  list(r.files, `${path}.files`, 1_000_000).forEach((f, i) => {
    const file = obj(f, `${path}.files[${i}]`);
    text(file.path, `${path}.files[${i}].path`, 4096);
    oneOf(file.verdict, VERDICTS, `${path}.files[${i}].verdict`);
    list(file.findings, `${path}.files[${i}].findings`, 10_000);
  });
  bool(obj(r.signature, `${path}.signature`).verified, `${path}.signature.verified`);
  bool(obj(r.provenance, `${path}.provenance`).verified, `${path}.provenance.verified`);
  list(obj(r.dependencies, `${path}.dependencies`).packages, `${path}.dependencies.packages`, 100_000);
  obj(r.license, `${path}.license`);
}

function checkEvaluation(v: unknown, path: string): void {
  const e = obj(v, path);
  text(obj(e.policy, `${path}.policy`).name, `${path}.policy.name`, 200);
  oneOf(e.outcome, OUTCOMES, `${path}.outcome`);
  time(e.evaluatedAt, `${path}.evaluatedAt`);
  list(e.results, `${path}.results`, 1000).forEach((r, i) => {
    const result = obj(r, `${path}.results[${i}]`);
    text(result.id, `${path}.results[${i}].id`, 100);
    oneOf(result.outcome, RULE_OUTCOMES, `${path}.results[${i}].outcome`);
  });
}

export function checkRecord(v: unknown, path: string): ModelVersionRecord {
  const r = obj(v, path);
  const name = text(r.name, `${path}.name`, 200);
  text(r.version, `${path}.version`, 200);
  if (name === '' || r.version === '') throw new RegistryImportError(path, 'needs a name and a version');
  nullableText(r.source, `${path}.source`);
  if (r.manifestDigest !== null && (typeof r.manifestDigest !== 'string' || !HEX64.test(r.manifestDigest)))
    throw new RegistryImportError(`${path}.manifestDigest`, 'must be null or 64 lowercase hex digits');
  list(r.reports, `${path}.reports`, 1000).forEach((x, i) => checkReport(x, `${path}.reports[${i}]`, name));
  list(r.policyResults, `${path}.policyResults`, 1000).forEach((x, i) =>
    checkEvaluation(x, `${path}.policyResults[${i}]`)
  );
  if (r.status !== null) oneOf(r.status, OUTCOMES, `${path}.status`);
  time(r.createdAt, `${path}.createdAt`);
  time(r.updatedAt, `${path}.updatedAt`);
  return r as unknown as ModelVersionRecord;
}
