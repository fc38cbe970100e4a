import { fromRequirement } from './dependency';
import { normalizeName } from './names';
import { resolveInclude } from './paths';
import { DepsError } from './errors';
import { parseRequirement } from './pep508';
import { logicalLines, tokenize, type LogicalLine } from './requirements-lines';
import type { DeclaredAt, Dependency, InputProblem, ParsedInput, ReadText } from './types';

export interface RequirementsLimits {
  maxIncludeDepth: number;
  maxFiles: number;
  maxLinesPerFile: number;
}

export const REQUIREMENTS_LIMITS: RequirementsLimits = {
  maxIncludeDepth: 20,
  maxFiles: 200,
  maxLinesPerFile: 100_000
};

/** Options that take a value, as pip accepts them on their own line. */
const GLOBAL_WITH_VALUE = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--no-binary',
  '--only-binary',
  '--trusted-host',
  '--use-feature',
  '--no-deps-for'
]);
const GLOBAL_FLAGS = new Set(['--no-index', '--pre', '--prefer-binary', '--require-hashes']);
const PER_REQUIREMENT_WITH_VALUE = new Set(['--hash', '-C', '--config-settings', '--global-option']);

interface Walk {
  read: ReadText;
  limits: RequirementsLimits;
  requirements: Dependency[];
  constraints: Dependency[];
  problems: InputProblem[];
  files: string[];
}

function splitOption(tokens: string[], i: number): { name: string; value?: string; next: number } {
  const token = tokens[i];
  const eq = token.indexOf('=');
  if (token.startsWith('--') && eq > 0)
    return { name: token.slice(0, eq), value: token.slice(eq + 1), next: i + 1 };
  if (/^-[a-zA-Z]./.test(token) && !token.startsWith('--')) {
    return { name: token.slice(0, 2), value: token.slice(2).replace(/^=/, ''), next: i + 1 };
  }
  return { name: token, value: tokens[i + 1], next: i + 2 };
}

function fromLocation(location: string, at: DeclaredAt, editable: boolean): Dependency {
  const egg = /#(?:.*&)?egg=([A-Za-z0-9._-]+)/.exec(location)?.[1];
  const file = location.split(/[?#]/)[0].split('/').pop() ?? location;
  const wheel = /^([A-Za-z0-9_.]+)-([^-]+)-.+\.whl$/.exec(file);
  const sdist = /^([A-Za-z0-9_.-]+?)-(\d[^-]*)\.(?:tar\.gz|zip|tar\.bz2)$/.exec(file);
  const displayName = egg ?? wheel?.[1] ?? sdist?.[1] ?? location.slice(0, 200);
  const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  const kind = editable ? 'editable' : /^[a-z]+\+/i.test(location) ? 'vcs' : remote ? 'url' : 'path';
  const reason = editable
    ? `not audited: editable install of ${location.slice(0, 200)} (a local project, not a registry release)`
    : `not audited: installed from ${remote ? 'the URL' : 'the file'} ${location.slice(0, 200)}, not from a registry version`;
  const named = egg ?? wheel?.[1] ?? sdist?.[1];
  return {
    name: named ? normalizeName(named) : displayName,
    displayName,
    specifier: location.slice(0, 500),
    kind,
    extras: [],
    hashes: [],
    skipReason: reason,
    declaredAt: [at]
  };
}

function looksLikeLocation(args: string): boolean {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@/.test(args)) return false;
  return (
    /^(\.{1,2}\/|\/|~)/.test(args) ||
    /^[a-z][a-z0-9+.-]*:\/\//i.test(args) ||
    /\.(whl|zip|tar\.gz|tar\.bz2)$/i.test(args)
  );
}

async function include(
  walk: Walk,
  from: string,
  target: string | undefined,
  at: DeclaredAt,
  chain: string[],
  constraint: boolean
) {
  if (!target) {
    walk.problems.push({ ...at, message: `${constraint ? '-c' : '-r'} without a file name` });
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    walk.problems.push({
      ...at,
      message: `remote include ${target.slice(0, 200)} not fetched; its requirements are not audited`
    });
    return;
  }
  await visit(walk, resolveInclude(from, target), chain, constraint, at);
}

async function parseLine(
  walk: Walk,
  file: string,
  { line, text }: LogicalLine,
  chain: string[],
  constraint: boolean
) {
  const at = { file, line };
  const expanded = text; // ${VAR} references stay as written: a browser has no environment to expand them from.
  if (expanded.startsWith('-')) {
    const tokens = tokenize(expanded);
    const { name, value } = splitOption(tokens, 0);
    if (name === '-r' || name === '--requirement') return include(walk, file, value, at, chain, constraint);
    if (name === '-c' || name === '--constraint') return include(walk, file, value, at, chain, true);
    if (name === '-e' || name === '--editable') {
      if (!value) walk.problems.push({ ...at, message: '-e without a location' });
      else (constraint ? walk.constraints : walk.requirements).push(fromLocation(value, at, true));
      return;
    }
    if (!GLOBAL_WITH_VALUE.has(name) && !GLOBAL_FLAGS.has(name)) {
      walk.problems.push({ ...at, message: `unknown option ${name.slice(0, 60)} ignored` });
    }
    return;
  }
  const tokens = expanded.split(/\s+/);
  const firstOption = tokens.findIndex((t) => t.startsWith('-'));
  const args = (firstOption < 0 ? tokens : tokens.slice(0, firstOption)).join(' ');
  const hashes: string[] = [];
  for (let i = firstOption < 0 ? tokens.length : firstOption; i < tokens.length;) {
    if (!tokens[i].startsWith('-')) {
      i++;
      continue;
    }
    const option = splitOption(tokens, i);
    if (!PER_REQUIREMENT_WITH_VALUE.has(option.name))
      walk.problems.push({ ...at, message: `unknown option ${option.name.slice(0, 60)} ignored` });
    if (option.name === '--hash' && option.value) hashes.push(option.value);
    i = option.next;
  }
  const target = constraint ? walk.constraints : walk.requirements;
  if (looksLikeLocation(args)) {
    target.push({ ...fromLocation(args, at, false), hashes });
    return;
  }
  try {
    target.push(fromRequirement(parseRequirement(args), at, { hashes }));
  } catch (err) {
    if (!(err instanceof DepsError && err.code === 'REQUIREMENT_SYNTAX')) throw err;
    walk.problems.push({ ...at, message: `${err.message} — line not audited` });
  }
}

async function visit(
  walk: Walk,
  file: string,
  chain: string[],
  constraint: boolean,
  from?: DeclaredAt
): Promise<void> {
  if (chain.includes(file)) {
    walk.problems.push({ ...(from ?? { file }), message: `include loop: ${[...chain, file].join(' → ')}` });
    return;
  }
  if (chain.length >= walk.limits.maxIncludeDepth) {
    walk.problems.push({
      ...(from ?? { file }),
      message: `includes nested deeper than ${walk.limits.maxIncludeDepth}; ${file} not read`
    });
    return;
  }
  if (walk.files.length >= walk.limits.maxFiles) {
    walk.problems.push({
      ...(from ?? { file }),
      message: `more than ${walk.limits.maxFiles} requirement files; ${file} not read`
    });
    return;
  }
  const text = await walk.read(file);
  if (text === null) {
    walk.problems.push({
      ...(from ?? { file }),
      message: `${file} is not among the given files; its requirements are not audited`
    });
    return;
  }
  if (!walk.files.includes(file)) walk.files.push(file);
  for (const line of logicalLines(text, walk.limits.maxLinesPerFile)) {
    await parseLine(walk, file, line, [...chain, file], constraint);
  }
}

/** Constraint files pin what gets installed without adding requirements: an unpinned requirement takes their pin. */
function applyConstraints(requirements: Dependency[], constraints: Dependency[]): Dependency[] {
  return requirements.map((req) => {
    if (req.version !== undefined || req.kind !== 'registry') return req;
    const pin = constraints.find((c) => c.name === req.name && c.version !== undefined && !c.skipReason);
    if (!pin) return req;
    return {
      ...req,
      version: pin.version,
      specifier: [req.specifier, `==${pin.version} (constraint)`].filter(Boolean).join(', '),
      skipReason: undefined,
      declaredAt: [...req.declaredAt, ...pin.declaredAt]
    };
  });
}

/** Parses a requirements file with pip's rules, following -r / -c includes among the given files. */
export async function parseRequirementsFile(
  path: string,
  read: ReadText,
  limits: RequirementsLimits = REQUIREMENTS_LIMITS
): Promise<ParsedInput> {
  const walk: Walk = { read, limits, requirements: [], constraints: [], problems: [], files: [] };
  await visit(walk, path, [], false);
  return {
    dependencies: applyConstraints(walk.requirements, walk.constraints),
    problems: walk.problems,
    files: walk.files
  };
}
