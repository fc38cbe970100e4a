export interface LogicalLine {
  /** 1-based number of the physical line the logical line starts on. */
  line: number;
  text: string;
}

const COMMENT_LINE = /^\s*#/;
const TRAILING_COMMENT = /(^|\s+)#.*$/;

/**
 * pip's preprocessing: a line ending in "\" continues on the next (a comment line ends the run),
 * then comments — "#" at the start or after whitespace — are removed. Blank results are dropped.
 */
export function logicalLines(text: string, maxLines: number): LogicalLine[] {
  const physical = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  if (physical.length > maxLines) physical.length = maxLines;
  const joined: LogicalLine[] = [];
  let pending: LogicalLine | null = null;
  physical.forEach((raw, i) => {
    const comment = COMMENT_LINE.test(raw);
    if (raw.endsWith('\\') && !comment) {
      const piece = raw.slice(0, -1);
      if (pending) pending.text += piece;
      else pending = { line: i + 1, text: piece };
      return;
    }
    if (pending) {
      // A comment line closes the continuation without adding text.
      if (!comment) pending.text += raw;
      joined.push(pending);
      pending = null;
    } else {
      joined.push({ line: i + 1, text: raw });
    }
  });
  if (pending) joined.push(pending);
  return joined
    .map((l) => ({ line: l.line, text: l.text.replace(TRAILING_COMMENT, '').trim() }))
    .filter((l) => l.text !== '');
}

/** Whitespace tokenizer honouring single and double quotes (enough of shlex for option values). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) tokens.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) tokens.push(current);
  return tokens;
}
