/**
 * A parser for the small Python literal subset NumPy writes in .npy headers (dict, tuple, list, str, int,
 * bool, None). It never evaluates anything and rejects everything else.
 */
export type PyValue = string | number | boolean | null | PyValue[] | PyTuple | PyDict;
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export class PyDict {
  constructor(readonly entries: Map<string, PyValue>) {}
}

export class LiteralError extends Error {}

const MAX_DEPTH = 32;

export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new LiteralError(`${what} at character ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const peek = () => {
    skipSpace();
    return text[pos];
  };
  const expect = (c: string) => {
    if (peek() !== c) fail(`expected ${JSON.stringify(c)}`);
    pos++;
  };
  const sequence = (close: string, depth: number): PyValue[] => {
    const items: PyValue[] = [];
    while (peek() !== close) {
      items.push(value(depth + 1));
      if (peek() === ',') pos++;
      else if (peek() !== close) fail('expected "," or closing bracket');
    }
    pos++;
    return items;
  };
  const str = (): string => {
    const quote = text[pos++];
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') {
        const next = text[pos + 1];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        pos += 2;
      } else out += text[pos++];
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    const c = peek();
    if (c === "'" || c === '"') return str();
    if (c === '(') {
      pos++;
      return new PyTuple(sequence(')', depth));
    }
    if (c === '[') {
      pos++;
      return sequence(']', depth);
    }
    if (c === '{') {
      pos++;
      const entries = new Map<string, PyValue>();
      while (peek() !== '}') {
        const key = value(depth + 1);
        if (typeof key !== 'string') fail('dict key is not a string');
        expect(':');
        entries.set(key as string, value(depth + 1));
        if (peek() === ',') pos++;
        else if (peek() !== '}') fail('expected "," or "}"');
      }
      pos++;
      return new PyDict(entries);
    }
    const word = /^(-?\d+L?|True|False|None)/.exec(text.slice(pos, pos + 40));
    if (!word) return fail('unsupported literal');
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const result = value(0);
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the literal');
  return result;
}
