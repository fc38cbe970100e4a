/** Why a member name would escape the extraction folder, or undefined when it stays inside. */
export function unsafeMemberPath(name: string): string | undefined {
  const normalised = name.replace(/\\/g, '/');
  if (normalised.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(normalised)) return 'a Windows drive path';
  if (normalised.split('/').includes('..')) return 'a "../" path traversal';
  if (name.includes('\u0000')) return 'a NUL byte';
  return undefined;
}

export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
