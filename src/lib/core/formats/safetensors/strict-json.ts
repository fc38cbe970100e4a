/**
 * A bounded, duplicate-aware JSON parser. JSON.parse silently keeps the last of two equal keys while other
 * parsers keep the first or refuse, so a header with duplicates means different tools see different tensors.
 * Objects become Maps (no prototype keys), integers beyond 2^53 become bigint so they are never rounded.
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface DuplicateKey {
  /** JSON pointer of the object holding the duplicate. */
  pointer: string;
  key: string;
  /** The value of the later copy (the first copy is the one kept in the object). */
  value: JsonValue;
}

export interface StrictJsonResult {
  value: JsonValue;
  duplicates: DuplicateKey[];
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(`${message} at character ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface StrictJsonOptions {
  maxDepth?: number;
  /** Total values (objects, arrays, scalars) accepted. */
  maxValues?: number;
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t'
};
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

export function parseStrictJson(text: string, options: StrictJsonOptions = {}): StrictJsonResult {
  const maxDepth = options.maxDepth ?? 64;
  const maxValues = options.maxValues ?? 10_000_000;
  const duplicates: DuplicateKey[] = [];
  let pos = 0;
  let values = 0;
  // Keys of the objects being parsed; the JSON pointer is only built when a duplicate is found.
  const path: string[] = [];

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipWhitespace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const expect = (ch: string) => {
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };

  const parseString = (): string => {
    expect('"');
    let out = '';
    let runStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      const esc = text[pos + 1];
      if (esc === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else if (esc !== undefined && esc in ESCAPES) {
        out += ESCAPES[esc];
        pos += 2;
      } else {
        fail('bad escape');
      }
      runStart = pos;
    }
  };

  const parseNumber = (): number | bigint => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail('unexpected character');
    pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };

  const parseValue = (depth: number): JsonValue => {
    if (++values > maxValues) fail(`more than ${maxValues} values`);
    skipWhitespace();
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) return ((pos += 4), true);
    if (text.startsWith('false', pos)) return ((pos += 5), false);
    if (text.startsWith('null', pos)) return ((pos += 4), null);
    if (c === undefined) return fail('unexpected end of input');
    return parseNumber();
  };

  const parseObject = (depth: number): JsonObject => {
    expect('{');
    const obj: JsonObject = new Map();
    skipWhitespace();
    if (text[pos] === '}') return (pos++, obj);
    for (;;) {
      skipWhitespace();
      const key = parseString();
      skipWhitespace();
      expect(':');
      path.push(key);
      const value = parseValue(depth);
      path.pop();
      if (obj.has(key))
        duplicates.push({ pointer: path.map((k) => `/${escapePointer(k)}`).join('') || '/', key, value });
      else obj.set(key, value);
      skipWhitespace();
      if (text[pos] === ',') pos++;
      else return (expect('}'), obj);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    expect('[');
    const arr: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === ']') return (pos++, arr);
    for (;;) {
      path.push(String(arr.length));
      arr.push(parseValue(depth));
      path.pop();
      skipWhitespace();
      if (text[pos] === ',') pos++;
      else return (expect(']'), arr);
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos !== text.length) fail('unexpected data after the JSON value');
  return { value, duplicates };
}
