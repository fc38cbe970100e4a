/** PEP 503: lower case, with every run of '-', '_' and '.' collapsed to one '-'. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** PEP 508 distribution name. */
export const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;

export type InputKind = 'requirements' | 'pyproject' | 'poetry-lock' | 'pipfile-lock' | 'uv-lock' | 'pylock';

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Which dependency input a dropped file is, by its name; null for anything else. */
export function inputKindOf(path: string): InputKind | null {
  const name = baseName(path);
  const lower = name.toLowerCase();
  if (lower === 'pyproject.toml') return 'pyproject';
  if (lower === 'poetry.lock') return 'poetry-lock';
  if (lower === 'pipfile.lock') return 'pipfile-lock';
  if (lower === 'uv.lock') return 'uv-lock';
  if (lower === 'pylock.toml' || /^pylock\.[^/]+\.toml$/.test(lower)) return 'pylock';
  if (/^requirements.*\.txt$/.test(lower)) return 'requirements';
  if (/(^|\/)requirements\/[^/]+\.txt$/i.test(path)) return 'requirements';
  return null;
}
