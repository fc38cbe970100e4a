import { normalizeName } from './names';
import type { Requirement } from './pep508';
import { pinnedVersion } from './pep508';
import type { DeclaredAt, Dependency, DependencyKind } from './types';

const LOCK_HINT =
  'audit a lock file (uv.lock, poetry.lock, Pipfile.lock, pylock.toml) or `pip freeze` output instead';

export function unpinnedReason(specifier: string): string {
  return specifier
    ? `not pinned — not audited: "${specifier}" allows several versions; pin it with == or ${LOCK_HINT}`
    : `not pinned — not audited: no version given; pin it with == or ${LOCK_HINT}`;
}

export function skipReasonForVersion(version: string): string | undefined {
  if (/\$\{[^}]*\}/.test(version)) {
    return `not audited: the version "${version}" comes from an environment variable; expand it (pin the real version) to audit`;
  }
  return undefined;
}

export function fromRequirement(
  req: Requirement,
  at: DeclaredAt,
  extra: Partial<Dependency> = {}
): Dependency {
  const specifier = req.clauses.join(', ');
  const version = req.url ? undefined : pinnedVersion(req.clauses);
  const kind: DependencyKind = req.url ? (/^[a-z]+\+/.test(req.url) ? 'vcs' : 'url') : 'registry';
  let skipReason: string | undefined;
  if (req.url)
    skipReason = `not audited: installed from ${req.url.slice(0, 200)}, not from a registry version`;
  else if (version === undefined) skipReason = unpinnedReason(specifier);
  else skipReason = skipReasonForVersion(version);
  return {
    name: normalizeName(req.name),
    displayName: req.name,
    version,
    specifier: req.url ? `@ ${req.url}` : specifier,
    kind,
    extras: req.extras,
    marker: req.marker,
    hashes: [],
    skipReason,
    declaredAt: [at],
    ...extra
  };
}

/** A dependency pinned by a lock file entry. */
export function lockedDependency(
  name: string,
  version: string | undefined,
  at: DeclaredAt,
  extra: Partial<Dependency> = {}
): Dependency {
  return {
    name: normalizeName(name),
    displayName: name,
    version,
    specifier: version ? `==${version}` : '',
    kind: 'registry',
    extras: [],
    hashes: [],
    skipReason: version
      ? undefined
      : 'not audited: the lock entry has no version (VCS, directory or archive source)',
    declaredAt: [at],
    ...extra
  };
}
