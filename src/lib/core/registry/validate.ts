import { isSeverity, maxVerdict, type Verdict } from '../findings';
import { RULE_OUTCOMES } from '../policy/types';
import { isCommitSha, isValidRepoId, isValidRevision } from '../provenance/hub-ref';
import { summarise } from '../triage/build';
import type { TriageFile, TriageReport } from '../triage/types';
import { RegistryImportError } from './errors';
import type { ModelVersionRecord } from './types';

type Obj = Record<string, unknown>;
const HEX64 = /^[0-9a-f]{64}$/;
const OUTCOMES = ['pass', 'fail', 'error'];
const VERDICTS = ['clean', 'info', 'low', 'medium', 'high', 'critical'];

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RegistryImportError('REGISTRY_INVALID', path, 'must be an object');
  return v as Obj;
}

function list(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new RegistryImportError('REGISTRY_INVALID', path, 'must be a list');
  if (v.length > max) throw new RegistryImportError('REGISTRY_INVALID', path, `has more than ${max} entries`);
  return v;
}

function text(v: unknown, path: string, max = 2000): string {
  if (typeof v !== 'string' || v.length > max)
    throw new RegistryImportError('REGISTRY_INVALID', path, `must be a string of at most ${max} characters`);
  return v;
}

function nullableText(v: unknown, path: string, max = 2000): void {
  if (v !== null) text(v, path, max);
}

function time(v: unknown, path: string): void {
  if (Number.isNaN(Date.parse(text(v, path, 40))))
    throw new RegistryImportError('REGISTRY_INVALID', path, 'must be an ISO date-time');
}

function bool(v: unknown, path: string): void {
  if (typeof v !== 'boolean') throw new RegistryImportError('REGISTRY_INVALID', path, 'must be a boolean');
}

function oneOf(v: unknown, allowed: readonly string[], path: string): void {
  if (typeof v !== 'string' || !allowed.includes(v))
    throw new RegistryImportError('REGISTRY_INVALID', path, `must be one of ${allowed.join(', ')}`);
}

/**
 * Checks the fields the registry, dashboard and policy rely on, and returns the report with what can be
 * derived derived again: a file's verdict is at least its worst finding, and the summary (verdict, counts,
 * completeness) is recomputed from the files. A file cannot claim "clean" over its own critical findings.
 */
function checkReport(v: unknown, path: string, name: string): TriageReport {
  const r = obj(v, path);
  if (r.schemaVersion !== 1)
    throw new RegistryImportError('REGISTRY_INVALID', `${path}.schemaVersion`, 'must be 1');
  time(r.createdAt, `${path}.createdAt`);
  const model = obj(r.model, `${path}.model`);
  if (text(model.name, `${path}.model.name`, 200) !== name)
    throw new RegistryImportError(
      'REGISTRY_INVALID',
      `${path}.model.name`,
      `is not the record's name ${name}`
    );
  const summary = obj(r.summary, `${path}.summary`);
  oneOf(summary.verdict, VERDICTS, `${path}.summary.verdict`);
  const counts = obj(summary.findingCounts, `${path}.summary.findingCounts`);
  for (const [k, n] of Object.entries(counts))
    if (!isSeverity(k) || typeof n !== 'number')
      throw new RegistryImportError('REGISTRY_INVALID', `${path}.summary.findingCounts`, 'has a bad entry');
  const files = list(r.files, `${path}.files`, 1_000_000).map((f, i) => checkFile(f, `${path}.files[${i}]`));
  bool(obj(r.signature, `${path}.signature`).verified, `${path}.signature.verified`);
  checkProvenance(obj(r.provenance, `${path}.provenance`), `${path}.provenance`);
  list(obj(r.dependencies, `${path}.dependencies`).packages, `${path}.dependencies.packages`, 100_000);
  obj(r.license, `${path}.license`);
  return { ...(r as unknown as TriageReport), files, summary: summarise(files) };
}

function checkFile(f: unknown, path: string): TriageFile {
  const file = obj(f, path);
  text(file.path, `${path}.path`, 4096);
  oneOf(file.verdict, VERDICTS, `${path}.verdict`);
  bool(file.complete, `${path}.complete`);
  if (typeof file.size !== 'number' || !Number.isSafeInteger(file.size) || file.size < 0)
    throw new RegistryImportError('REGISTRY_INVALID', `${path}.size`, 'must be a non-negative integer');
  let verdict = file.verdict as Verdict;
  list(file.findings, `${path}.findings`, 10_000).forEach((x, i) => {
    const severity = obj(x, `${path}.findings[${i}]`).severity;
    if (typeof severity !== 'string' || !isSeverity(severity))
      throw new RegistryImportError('REGISTRY_INVALID', `${path}.findings[${i}].severity`, 'is unknown');
    verdict = maxVerdict(verdict, severity);
  });
  return { ...(file as unknown as TriageFile), verdict };
}

/** Repo id, commit and revision end up in links and suggested commands: only the Hub's grammar is accepted. */
function checkProvenance(p: Obj, path: string): void {
  bool(p.verified, `${path}.verified`);
  if (p.repoId !== null && !isValidRepoId(p.repoId))
    throw new RegistryImportError(
      'REGISTRY_INVALID',
      `${path}.repoId`,
      'must be null or a Hub repo id (namespace/name)'
    );
  if (p.commit !== null && !isCommitSha(p.commit as string))
    throw new RegistryImportError('REGISTRY_INVALID', `${path}.commit`, 'must be null or a 40-hex commit');
  if (p.requestedRevision !== null && !isValidRevision(p.requestedRevision))
    throw new RegistryImportError(
      'REGISTRY_INVALID',
      `${path}.requestedRevision`,
      'must be null or a branch, tag or commit'
    );
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
  if (name === '' || r.version === '')
    throw new RegistryImportError('REGISTRY_INVALID', path, 'needs a name and a version');
  nullableText(r.source, `${path}.source`);
  if (r.manifestDigest !== null && (typeof r.manifestDigest !== 'string' || !HEX64.test(r.manifestDigest)))
    throw new RegistryImportError(
      'REGISTRY_INVALID',
      `${path}.manifestDigest`,
      'must be null or 64 lowercase hex digits'
    );
  const reports = list(r.reports, `${path}.reports`, 1000).map((x, i) =>
    checkReport(x, `${path}.reports[${i}]`, name)
  );
  list(r.policyResults, `${path}.policyResults`, 1000).forEach((x, i) =>
    checkEvaluation(x, `${path}.policyResults[${i}]`)
  );
  if (r.status !== null) oneOf(r.status, OUTCOMES, `${path}.status`);
  time(r.createdAt, `${path}.createdAt`);
  time(r.updatedAt, `${path}.updatedAt`);
  return { ...(r as unknown as ModelVersionRecord), reports };
}
