import { lockedDependency } from './dependency';
import { normalizeName } from './names';
import { isTable, parseToml, stringOf, tablesOf, type Table } from './toml';
import type { Dependency, InputProblem, ParsedInput } from './types';

const MAX_PACKAGES = 100_000;

function failed(file: string, message: string): ParsedInput {
  return { dependencies: [], problems: [{ file, message }], files: [file] };
}

function depNames(list: unknown): string[] {
  return tablesOf(list)
    .map((d) => stringOf(d.name))
    .filter((n): n is string => !!n)
    .map(normalizeName);
}

function hashesOf(...lists: unknown[]): string[] {
  const out: string[] = [];
  for (const list of lists) {
    for (const item of Array.isArray(list) ? list : [list]) {
      if (typeof item === 'string') out.push(item);
      else if (isTable(item) && typeof item.hash === 'string') out.push(item.hash);
      else if (isTable(item) && isTable(item.hashes)) {
        for (const [alg, hex] of Object.entries(item.hashes))
          if (typeof hex === 'string') out.push(`${alg}:${hex}`);
      }
    }
  }
  return [...new Set(out)];
}

/** poetry.lock: [[package]] name/version, groups or the older category, [package.dependencies]. */
export function parsePoetryLock(text: string, file: string): ParsedInput {
  const parsed = parseToml(text);
  if ('error' in parsed) return failed(file, parsed.error);
  const problems: InputProblem[] = [];
  const deps: Dependency[] = [];
  const metadata = isTable(parsed.doc.metadata) ? parsed.doc.metadata : {};
  const oldFiles = isTable(metadata.files) ? metadata.files : {}; // lock-version 1.x keeps hashes in [metadata.files]
  for (const pkg of tablesOf(parsed.doc.package).slice(0, MAX_PACKAGES)) {
    const name = stringOf(pkg.name);
    if (!name) continue;
    const source = isTable(pkg.source) ? pkg.source : undefined;
    const sourceType = stringOf(source?.type);
    const groups = Array.isArray(pkg.groups) ? pkg.groups.filter((g) => typeof g === 'string') : [];
    const group = groups.length > 0 ? groups.join(',') : stringOf(pkg.category);
    const dependsOn = isTable(pkg.dependencies) ? Object.keys(pkg.dependencies).map(normalizeName) : [];
    const dep = lockedDependency(
      name,
      stringOf(pkg.version),
      { file },
      { dependsOn, hashes: hashesOf(pkg.files, oldFiles[name]) }
    );
    if (group && group !== 'main') dep.group = group;
    if (sourceType && sourceType !== 'legacy') {
      dep.kind = sourceType === 'git' ? 'vcs' : sourceType === 'url' ? 'url' : 'path';
      dep.skipReason = `not audited: locked from a ${sourceType} source (${stringOf(source?.url)?.slice(0, 200) ?? '?'}), not a registry release`;
    }
    deps.push(dep);
  }
  return { dependencies: deps, problems, files: [file] };
}

/** uv.lock: [[package]] with source {registry|git|path|directory|editable|virtual}; the project itself is left out. */
export function parseUvLock(text: string, file: string): ParsedInput {
  const parsed = parseToml(text);
  if ('error' in parsed) return failed(file, parsed.error);
  const deps: Dependency[] = [];
  for (const pkg of tablesOf(parsed.doc.package).slice(0, MAX_PACKAGES)) {
    const name = stringOf(pkg.name);
    if (!name) continue;
    const source = isTable(pkg.source) ? pkg.source : ({} as Table);
    if ('virtual' in source || 'editable' in source) continue;
    const dep = lockedDependency(
      name,
      stringOf(pkg.version),
      { file },
      {
        dependsOn: depNames(pkg.dependencies),
        hashes: hashesOf(pkg.sdist, pkg.wheels)
      }
    );
    const other = ['git', 'path', 'directory', 'url'].find((k) => k in source);
    if (other) {
      dep.kind = other === 'git' ? 'vcs' : other === 'url' ? 'url' : 'path';
      dep.skipReason = `not audited: locked from ${other} ${String(source[other]).slice(0, 200)}, not a registry release`;
    }
    deps.push(dep);
  }
  return { dependencies: deps, problems: [], files: [file] };
}

/** pylock.toml (PEP 751): lock-version 1.x; [[packages]] without a version (VCS, directory, archive) are skipped. */
export function parsePylock(text: string, file: string): ParsedInput {
  const parsed = parseToml(text);
  if ('error' in parsed) return failed(file, parsed.error);
  const lockVersion = stringOf(parsed.doc['lock-version']);
  if (!lockVersion || lockVersion.split('.')[0] !== '1') {
    return failed(
      file,
      `unsupported pylock lock-version ${JSON.stringify(lockVersion ?? null)}; only 1.x is understood`
    );
  }
  const deps = tablesOf(parsed.doc.packages)
    .slice(0, MAX_PACKAGES)
    .filter((p) => typeof p.name === 'string')
    .map((pkg) => {
      const dep = lockedDependency(
        pkg.name as string,
        stringOf(pkg.version),
        { file },
        {
          dependsOn: depNames(pkg.dependencies),
          hashes: hashesOf(pkg.wheels, pkg.sdist, pkg.archive),
          marker: stringOf(pkg.marker)
        }
      );
      if (isTable(pkg.vcs)) dep.kind = 'vcs';
      else if (isTable(pkg.directory)) dep.kind = 'path';
      else if (isTable(pkg.archive)) dep.kind = 'url';
      return dep;
    });
  return { dependencies: deps, problems: [], files: [file] };
}

/** Pipfile.lock (JSON): "default" and "develop" maps of name → {version: "==x", hashes, markers}. */
export function parsePipfileLock(text: string, file: string): ParsedInput {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return failed(file, `not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!isTable(doc)) return failed(file, 'not a Pipfile.lock: the top level is not an object');
  const deps: Dependency[] = [];
  const problems: InputProblem[] = [];
  for (const section of ['default', 'develop'] as const) {
    const table = doc[section];
    if (!isTable(table)) continue;
    for (const [name, entry] of Object.entries(table).slice(0, MAX_PACKAGES)) {
      if (!isTable(entry)) continue;
      const raw = stringOf(entry.version);
      const version = raw?.startsWith('==') ? raw.slice(2).replace(/^=/, '') : undefined;
      const dep = lockedDependency(
        name,
        version,
        { file },
        { hashes: hashesOf(entry.hashes), marker: stringOf(entry.markers) }
      );
      if (section === 'develop') dep.group = 'develop';
      const location = stringOf(entry.git) ?? stringOf(entry.path) ?? stringOf(entry.file);
      if (location) {
        dep.kind = entry.git ? 'vcs' : entry.path ? 'path' : 'url';
        dep.skipReason = `not audited: locked from ${location.slice(0, 200)}, not a registry release`;
      } else if (raw && !version) {
        problems.push({ file, message: `${name}: version "${raw.slice(0, 60)}" does not start with "=="` });
      }
      deps.push(dep);
    }
  }
  return { dependencies: deps, problems, files: [file] };
}
