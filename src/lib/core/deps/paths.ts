/** POSIX-style join of an include target onto the including file's folder, resolving "." and "..". */
export function resolveInclude(fromFile: string, target: string): string {
  const base = target.startsWith('/') ? [] : fromFile.split('/').slice(0, -1);
  const out = [...base];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
