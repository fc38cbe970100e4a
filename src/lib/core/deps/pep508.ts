import { DepsError } from './errors';
import { NAME_PATTERN } from './names';

export interface Requirement {
  name: string;
  extras: string[];
  /** Comma-separated clauses, e.g. [">=2.8.1", "==2.8.*"]; empty when none. */
  clauses: string[];
  url?: string;
  marker?: string;
}

const CLAUSE = /^(===|==|!=|~=|<=|>=|<|>)\s*(\S*)$/;

function splitMarker(text: string): { body: string; marker?: string } {
  // In "name @ url ; marker" the ';' must follow whitespace so URLs may contain ';'.
  const urlForm = /^[^@]*@/.test(text);
  const at = urlForm ? text.search(/\s;/) : text.indexOf(';');
  if (at < 0) return { body: text.trim() };
  const marker = text.slice(at).replace(/^\s*;/, '').trim();
  return { body: text.slice(0, at).trim(), marker: marker || undefined };
}

/** Parses one PEP 508 requirement ("name[extra] >=1, <2 ; marker" or "name @ url"). Markers are kept as text. */
export function parseRequirement(text: string): Requirement {
  const { body, marker } = splitMarker(text);
  const nameMatch = NAME_PATTERN.exec(body);
  if (!nameMatch) throw new DepsError('REQUIREMENT_SYNTAX', `not a requirement: "${body.slice(0, 80)}"`);
  const name = nameMatch[0];
  let rest = body.slice(name.length).trim();
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw new DepsError('REQUIREMENT_SYNTAX', `unclosed extras in "${body.slice(0, 80)}"`);
    extras = rest
      .slice(1, end)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    rest = rest.slice(end + 1).trim();
  }
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim();
    if (!url) throw new DepsError('REQUIREMENT_SYNTAX', `"${name} @" has no URL`);
    return { name, extras, clauses: [], url, marker };
  }
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  const clauses = rest === '' ? [] : rest.split(',').map((c) => c.trim());
  for (const c of clauses) {
    const m = CLAUSE.exec(c);
    if (!m) throw new DepsError('REQUIREMENT_SYNTAX', `bad version clause "${c.slice(0, 80)}" for ${name}`);
    if (!m[2]) throw new DepsError('REQUIREMENT_SYNTAX', `"${c}" for ${name} has no version`);
  }
  return { name, extras, clauses: clauses.map((c) => c.replace(CLAUSE, '$1$2')), marker };
}

/** The exact version a clause list pins ("==1.0", "===1.0"), or undefined when it allows several. */
export function pinnedVersion(clauses: readonly string[]): string | undefined {
  for (const clause of clauses) {
    const m = /^(===|==)(.+)$/.exec(clause);
    if (m && !(m[1] === '==' && m[2].endsWith('*'))) return m[2];
  }
  return undefined;
}
