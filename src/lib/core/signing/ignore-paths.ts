export const GIT_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'];
export const DEFAULT_SIGNATURE_NAME = 'model.sig';

function normalise(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
}

/** model_signing's rule: a path is ignored when it is, or lies under, an ignored path (whole components). */
export function makeIgnore(paths: readonly string[]): (path: string) => boolean {
  const set = new Set(paths.map(normalise).filter((p) => p && p !== '.'));
  return (path) => {
    const parts = normalise(path).split('/');
    for (let i = 1; i <= parts.length; i++) if (set.has(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}
