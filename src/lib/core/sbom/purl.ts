/** purl segments percent-encode everything but unreserved characters ("+" of local versions becomes %2B). */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function pypiPurl(name: string, version?: string): string {
  return `pkg:pypi/${enc(name)}${version ? `@${enc(version)}` : ''}`;
}

/** pkg:huggingface/<namespace>/<name>@<commit>; a repo id without a namespace has none. */
export function huggingfacePurl(repoId: string, commit?: string): string {
  const parts = repoId.split('/');
  const name = parts.pop() ?? repoId;
  const ns = parts.length ? `${parts.map(enc).join('/')}/` : '';
  return `pkg:huggingface/${ns}${enc(name)}${commit ? `@${enc(commit)}` : ''}`;
}
