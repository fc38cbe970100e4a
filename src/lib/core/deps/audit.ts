import { compare, valid } from '@renovatebot/pep440';
import { mergeRecords, type AuditedVuln } from './merge-vulns';
import type { PackageQuery, VulnSource } from './source';
import type { Dependency } from './types';

export interface AuditedPackage {
  name: string;
  version: string;
  dependency: Dependency;
  vulns: AuditedVuln[];
}

export type FixSuggestion =
  | { name: string; oldVersion: string; newVersion: string }
  | { name: string; version: string; skipReason: string };

export interface AuditReport {
  source: VulnSource['kind'];
  audited: AuditedPackage[];
  /** Entries that could not be audited, each with its skipReason. */
  skipped: Dependency[];
  fixes: FixSuggestion[];
}

export interface AuditOptions {
  signal?: AbortSignal;
  /** Rounds of "upgrade, then check the upgrade" before giving up on a fix. */
  maxFixRounds?: number;
}

/** The smallest version above `current` that is at or after some fix of every vulnerability, or why there is none. */
function nextCandidate(
  current: string,
  vulns: readonly AuditedVuln[]
): { version: string } | { reason: string } {
  let candidate: string | undefined;
  for (const v of vulns) {
    const fix = v.fixVersions.find((f) => compare(f, current) > 0);
    if (!fix) return { reason: `no fixed version of ${v.id} above ${current} is known` };
    if (!candidate || compare(fix, candidate) > 0) candidate = fix;
  }
  return candidate ? { version: candidate } : { reason: 'no vulnerability to fix' };
}

/**
 * The smallest upgrade that fixes every finding, found like pip-audit's --fix: take the least version past
 * some fix of every vulnerability, look that version up, and repeat while it still has vulnerabilities.
 */
async function resolveFixes(
  vulnerable: AuditedPackage[],
  source: VulnSource,
  opts: AuditOptions
): Promise<FixSuggestion[]> {
  const rounds = opts.maxFixRounds ?? 8;
  const state = vulnerable.map((p) => ({
    pkg: p,
    current: p.version,
    vulns: p.vulns,
    done: null as FixSuggestion | null
  }));
  for (let round = 0; round < rounds; round++) {
    const pending: { s: (typeof state)[number]; query: PackageQuery }[] = [];
    for (const s of state) {
      if (s.done) continue;
      const next =
        valid(s.current) === null
          ? { reason: `${s.current} is not a PEP 440 version` }
          : nextCandidate(s.current, s.vulns);
      if ('reason' in next) s.done = { name: s.pkg.name, version: s.pkg.version, skipReason: next.reason };
      else pending.push({ s, query: { name: s.pkg.name, version: next.version } });
    }
    if (pending.length === 0) break;
    const results = await source.lookup(
      pending.map((p) => p.query),
      opts.signal
    );
    pending.forEach(({ s, query }, i) => {
      s.current = query.version;
      s.vulns = mergeRecords(results[i], s.pkg.name);
      if (s.vulns.length === 0)
        s.done = { name: s.pkg.name, oldVersion: s.pkg.version, newVersion: query.version };
    });
  }
  return state.map(
    (s) =>
      s.done ?? {
        name: s.pkg.name,
        version: s.pkg.version,
        skipReason: `no vulnerability-free version found within ${rounds} upgrade steps`
      }
  );
}

/** Looks every pinned dependency up in the source and reports its vulnerabilities, merged by alias, and the upgrades. */
export async function auditDependencies(
  deps: readonly Dependency[],
  source: VulnSource,
  opts: AuditOptions = {}
): Promise<AuditReport> {
  const auditable = deps.filter((d) => d.version !== undefined && !d.skipReason);
  const skipped = deps.filter((d) => !auditable.includes(d));
  const results = await source.lookup(
    auditable.map((d) => ({ name: d.name, version: d.version! })),
    opts.signal
  );
  const audited = auditable.map((d, i) => ({
    name: d.name,
    version: d.version!,
    dependency: d,
    vulns: mergeRecords(results[i], d.name)
  }));
  const fixes = await resolveFixes(
    audited.filter((p) => p.vulns.length > 0),
    source,
    opts
  );
  return { source: source.kind, audited, skipped, fixes };
}
