/** Decoding of pickle operands the way CPython's Unpickler decodes them. */

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

export class DecodeError extends Error {}

function ascii(bytes: Uint8Array): string | null {
  if (bytes.length > 64) return null;
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c >= 0x80) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/** `bytes.decode("utf-8")`: throws on invalid input (GLOBAL and INST lines). */
export function utf8(bytes: Uint8Array): string {
  const fast = ascii(bytes);
  if (fast !== null) return fast;
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new DecodeError('operand is not valid UTF-8');
  }
}

/** `str(b, "utf-8", "surrogatepass")`: lone surrogates are accepted, so never fail (pessimistic). */
export function utf8Lax(bytes: Uint8Array): string {
  return ascii(bytes) ?? utf8Lenient.decode(bytes);
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** `bytes.decode("ascii")` (PERSID, INST module and name). */
export function strictAscii(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) throw new DecodeError('operand is not ASCII');
  return latin1(bytes);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': ''
};

/** STRING: the argument must be quoted; then `codecs.escape_decode`. */
export function pythonStringLiteral(line: Uint8Array): string {
  const raw = latin1(line);
  const q = raw[0];
  if (raw.length < 2 || (q !== "'" && q !== '"') || raw[raw.length - 1] !== q) {
    throw new DecodeError('the STRING opcode argument must be quoted');
  }
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw new DecodeError('trailing \\ in STRING');
    if (next in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[next];
    else if (next === 'x') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new DecodeError('invalid \\x escape in STRING');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (next >= '0' && next <= '7') {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else out += `\\${next}`;
  }
  return out;
}

/** UNICODE: `str(line, "raw-unicode-escape")` — only \uXXXX and \UXXXXXXXX are escapes. */
export function rawUnicodeEscape(line: Uint8Array): string {
  const raw = latin1(line);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (_m, hex: string) => {
    const cp = parseInt(hex.slice(1), 16);
    if (cp > 0x10ffff) throw new DecodeError('\\U escape out of range in UNICODE');
    return String.fromCodePoint(cp);
  });
}

const INT_LITERAL = /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|0(_?0)*|[1-9](_?[0-9])*)$/;

/** `int(text, 0)`; returns a number when it is a safe integer, else a bigint. */
export function pythonInt(text: string, base0 = true): number | bigint {
  const t = text.trim();
  if (!(base0 ? INT_LITERAL.test(t) : /^[+-]?[0-9](_?[0-9])*$/.test(t))) {
    throw new DecodeError(`invalid integer literal ${JSON.stringify(t.slice(0, 40))}`);
  }
  const negative = t.startsWith('-');
  const digits = t.replace(/^[+-]/, '').replace(/_/g, '');
  const big = BigInt(digits) * (negative ? -1n : 1n);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export function pythonFloatValid(text: string): boolean {
  const t = text.trim().replace(/_/g, '');
  return (
    /^[+-]?(inf|infinity|nan)$/i.test(t) || (t !== '' && !Number.isNaN(Number(t)) && !/^[+-]?0[xob]/i.test(t))
  );
}

/** LONG1/LONG4 payload: little-endian two's complement. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
