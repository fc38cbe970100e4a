import { parsePipfileLock, parsePoetryLock, parsePylock, parseUvLock } from './lockfiles';
import { inputKindOf, type InputKind } from './names';
import { parsePyproject } from './pyproject';
import { redactDependency, redactProblem } from './redact';
import { parseRequirementsFile } from './requirements';
import type { Dependency, InputProblem, ReadText } from './types';

export interface CollectedDependencies {
  /** Each distinct (name, version) once, or each unpinned name once when nothing pins it. */
  dependencies: Dependency[];
  problems: InputProblem[];
  /** Dependency inputs recognised, with their kind. */
  inputs: { path: string; kind: InputKind }[];
  /** Every file read, includes too. */
  files: string[];
}

function merge(into: Dependency, from: Dependency): void {
  for (const at of from.declaredAt) {
    if (!into.declaredAt.some((a) => a.file === at.file && a.line === at.line)) into.declaredAt.push(at);
  }
  into.hashes = [...new Set([...into.hashes, ...from.hashes])];
  if (from.dependsOn) into.dependsOn = [...new Set([...(into.dependsOn ?? []), ...from.dependsOn])];
  if (!from.group) delete into.group;
}

/**
 * Finds the dependency inputs among the given paths, parses them and merges their entries:
 * a pinned entry (requirements ==, any lock file) makes an unpinned declaration of the same package redundant.
 */
export async function collectDependencies(
  paths: readonly string[],
  read: ReadText
): Promise<CollectedDependencies> {
  const inputs = paths.flatMap((path) => {
    const kind = inputKindOf(path);
    return kind ? [{ path, kind }] : [];
  });
  const all: Dependency[] = [];
  const problems: InputProblem[] = [];
  const files = new Set<string>();
  for (const { path, kind } of inputs) {
    let result;
    if (kind === 'requirements') {
      result = await parseRequirementsFile(path, read);
    } else {
      const text = await read(path);
      if (text === null) {
        problems.push({ file: path, message: 'could not be read' });
        continue;
      }
      const parse = {
        pyproject: parsePyproject,
        'poetry-lock': parsePoetryLock,
        'pipfile-lock': parsePipfileLock,
        'uv-lock': parseUvLock,
        pylock: parsePylock
      }[kind];
      result = parse(text, path);
    }
    // Credentials in URLs are removed here, where inputs are parsed: nothing downstream can leak them.
    all.push(...result.dependencies.map(redactDependency));
    problems.push(...result.problems.map(redactProblem));
    for (const f of result.files) files.add(f);
  }
  const pinned = new Set(all.filter((d) => d.version !== undefined && !d.skipReason).map((d) => d.name));
  const byKey = new Map<string, Dependency>();
  for (const dep of all) {
    if (dep.version === undefined && pinned.has(dep.name)) continue;
    const key = `${dep.name}\u0000${dep.version ?? ''}\u0000${dep.skipReason ? dep.specifier : ''}`;
    const seen = byKey.get(key);
    if (seen) merge(seen, dep);
    else byKey.set(key, { ...dep, declaredAt: [...dep.declaredAt], hashes: [...dep.hashes] });
  }
  const dependencies = [...byKey.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? '')
  );
  return { dependencies, problems, inputs, files: [...files] };
}
