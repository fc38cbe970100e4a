import { fromRequirement, unpinnedReason } from './dependency';
import { normalizeName } from './names';
import { DepsError } from './errors';
import { parseRequirement } from './pep508';
import { isTable, parseToml, stringOf, type Table } from './toml';
import type { Dependency, InputProblem, ParsedInput } from './types';

const MAX_ENTRIES = 10_000;

function pep508List(
  list: unknown,
  file: string,
  group: string | undefined,
  out: Dependency[],
  problems: InputProblem[]
) {
  if (!Array.isArray(list)) return;
  for (const item of list.slice(0, MAX_ENTRIES)) {
    if (typeof item !== 'string') continue; // PEP 735 {include-group = "..."} entries carry no package.
    try {
      out.push(fromRequirement(parseRequirement(item), { file }, group ? { group } : {}));
    } catch (err) {
      if (!(err instanceof DepsError && err.code === 'REQUIREMENT_SYNTAX')) throw err;
      problems.push({ file, message: `${err.message} — not audited` });
    }
  }
}

/** Poetry: a bare version ("1.2.3") is an exact pin; ^, ~, *, comparisons and wildcards are ranges. */
function poetryVersion(constraint: string): string | undefined {
  const c = constraint.trim();
  const exact = /^(?:==)?\s*([0-9][^\s,*<>=!~^|]*)$/.exec(c);
  return exact ? exact[1] : undefined;
}

function poetryEntry(name: string, spec: unknown, file: string, group: string | undefined): Dependency {
  const base: Dependency = {
    name: normalizeName(name),
    displayName: name,
    specifier: '',
    kind: 'registry',
    extras: [],
    hashes: [],
    declaredAt: [{ file }],
    ...(group ? { group } : {})
  };
  const table = isTable(spec) ? spec : typeof spec === 'string' ? { version: spec } : {};
  const location = stringOf(table.git) ?? stringOf(table.path) ?? stringOf(table.url);
  if (location) {
    const kind = table.git ? 'vcs' : table.path ? 'path' : 'url';
    return {
      ...base,
      kind,
      specifier: location,
      skipReason: `not audited: installed from ${location.slice(0, 200)}, not from a registry version`
    };
  }
  const constraint = stringOf(table.version) ?? '';
  const version = poetryVersion(constraint);
  return {
    ...base,
    specifier: constraint,
    version,
    extras: Array.isArray(table.extras) ? table.extras.filter((e): e is string => typeof e === 'string') : [],
    marker: stringOf(table.markers),
    skipReason: version ? undefined : unpinnedReason(constraint === '*' ? '' : constraint)
  };
}

function poetryTable(table: unknown, file: string, group: string | undefined, out: Dependency[]) {
  if (!isTable(table)) return;
  for (const [name, spec] of Object.entries(table).slice(0, MAX_ENTRIES)) {
    if (name.toLowerCase() === 'python') continue;
    const entries = Array.isArray(spec) ? spec : [spec]; // multiple-constraint form: [{version, markers}, ...]
    for (const e of entries) out.push(poetryEntry(name, e, file, group));
  }
}

/** pyproject.toml: PEP 621 [project] dependencies and optional dependencies, PEP 735 groups, Poetry tables. */
export function parsePyproject(text: string, file: string): ParsedInput {
  const parsed = parseToml(text);
  if ('error' in parsed)
    return { dependencies: [], problems: [{ file, message: parsed.error }], files: [file] };
  const doc = parsed.doc;
  const out: Dependency[] = [];
  const problems: InputProblem[] = [];
  const project = isTable(doc.project) ? doc.project : ({} as Table);
  pep508List(project.dependencies, file, undefined, out, problems);
  if (isTable(project['optional-dependencies'])) {
    for (const [group, list] of Object.entries(project['optional-dependencies']))
      pep508List(list, file, group, out, problems);
  }
  if (isTable(doc['dependency-groups'])) {
    for (const [group, list] of Object.entries(doc['dependency-groups']))
      pep508List(list, file, group, out, problems);
  }
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : undefined;
  if (poetry) {
    poetryTable(poetry.dependencies, file, undefined, out);
    poetryTable(poetry['dev-dependencies'], file, 'dev', out);
    if (isTable(poetry.group)) {
      for (const [group, body] of Object.entries(poetry.group)) {
        if (isTable(body)) poetryTable(body.dependencies, file, group, out);
      }
    }
  }
  return { dependencies: out, problems, files: [file] };
}
