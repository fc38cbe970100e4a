/**
 * Blanks out Python comments and string literals, keeping every newline so line numbers stay right, so the
 * lexical rules see only code. Triple quotes and escapes are honoured; string prefixes (r, b, f, u) are left
 * as harmless identifiers.
 */
export function codeOnly(source: string): string {
  const out: string[] = [];
  const n = source.length;
  const blank = (from: number, to: number) => out.push(source.slice(from, to).replace(/[^\n]/g, ' '));
  let i = 0;
  while (i < n) {
    const c = source[i];
    if (c === '#') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const quote = source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < n && !source.startsWith(quote, j)) {
        if (quote.length === 1 && source[j] === '\n') break;
        j += source[j] === '\\' ? 2 : 1;
      }
      const stop = Math.min(n, source.startsWith(quote, j) ? j + quote.length : j);
      blank(i, stop);
      i = stop;
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join('');
}
