import { compare, explain, valid } from '@renovatebot/pep440';
import { normalizeName } from './names';
import { isPypi, type OsvAffected, type OsvEvent, type OsvRange, type OsvRecord } from './osv-record';

function publicPart(version: string): string {
  return explain(version)?.public ?? version;
}

/** versions[] lists exact releases: PEP 440 equality when both parse, else the exact string. A local build (+cu121) is its public release. */
function inVersionList(version: string, list: readonly unknown[]): boolean {
  const parsed = valid(version) !== null;
  const pub = parsed ? publicPart(version) : version;
  return list.some((v) => {
    if (typeof v !== 'string') return false;
    if (v === version) return true;
    if (!parsed || valid(v) === null) return false;
    return compare(v, version) === 0 || compare(v, pub) === 0;
  });
}

function eventVersion(e: OsvEvent): string | undefined {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit;
}

function isEvent(e: unknown): e is OsvEvent {
  return typeof e === 'object' && e !== null && typeof eventVersion(e) === 'string';
}

/**
 * OSV range evaluation for one ECOSYSTEM range, with events ordered by version ("introduced: 0" first).
 * Returns null when an event's version is not PEP 440, so the caller can rely on versions[] instead.
 */
function inRange(version: string, range: OsvRange): boolean | null {
  const events = range.events.filter(isEvent);
  const at = (e: OsvEvent) => eventVersion(e)!;
  if (events.some((e) => e.introduced !== '0' && at(e) !== '*' && valid(at(e)) === null)) return null;
  const order = (a: OsvEvent, b: OsvEvent) =>
    a.introduced === '0'
      ? -1
      : b.introduced === '0'
        ? 1
        : at(a) === '*'
          ? 1
          : at(b) === '*'
            ? -1
            : compare(at(a), at(b));
  const sorted = [...events].sort(order);
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined) {
      if (e.introduced === '0' || compare(version, e.introduced) >= 0) affected = true;
    } else if (e.fixed !== undefined) {
      if (compare(version, e.fixed) >= 0) affected = false;
    } else if (e.last_affected !== undefined) {
      if (compare(version, e.last_affected) > 0) affected = false;
    } else if (e.limit !== undefined && e.limit !== '*' && compare(version, e.limit) >= 0) {
      return false;
    }
  }
  return affected;
}

export function affectsVersion(affected: OsvAffected, version: string): boolean {
  if (Array.isArray(affected.versions) && inVersionList(version, affected.versions)) return true;
  if (valid(version) === null) return false;
  for (const range of affected.ranges ?? []) {
    if (range.type !== 'ECOSYSTEM') continue;
    if (inRange(version, range) === true) return true;
  }
  return false;
}

/** The affected[] entries of a record that name this PyPI package. */
export function entriesFor(record: OsvRecord, name: string): OsvAffected[] {
  const wanted = normalizeName(name);
  return (record.affected ?? []).filter(
    (a) => isPypi(a) && typeof a.package?.name === 'string' && normalizeName(a.package.name) === wanted
  );
}

/** Whether the record (not withdrawn) says this version of this PyPI package is affected. */
export function recordAffects(record: OsvRecord, name: string, version: string): boolean {
  if (record.withdrawn) return false;
  return entriesFor(record, name).some((a) => affectsVersion(a, version));
}

/** `fixed` versions of the package's ECOSYSTEM ranges, PEP 440 sorted. */
export function fixVersionsOf(record: OsvRecord, name: string): string[] {
  const fixed = new Set<string>();
  for (const a of entriesFor(record, name)) {
    for (const r of a.ranges ?? []) {
      if (r.type !== 'ECOSYSTEM') continue;
      for (const e of r.events)
        if (typeof e.fixed === 'string' && valid(e.fixed) !== null) fixed.add(e.fixed);
    }
  }
  return [...fixed].sort(compare);
}
