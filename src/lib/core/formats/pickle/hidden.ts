/**
 * Pickles hidden inside a pickle's values: raw bytes, latin-1 text (how protocol 2 writes Python 3 bytes),
 * base64 or hex text. The loader does not unpickle them by itself; code that later reads the value, or the
 * stream's own call into pickle.loads, would. Detection reads a few hundred bytes; decoding is bounded.
 */
import type { ImportLevel } from './policy';
import { looksLikePickle } from './sniff';

export type PayloadEncoding = 'bytes' | 'latin-1 text' | 'base64 text' | 'hex text';

export interface HiddenImport {
  /** module.name as the loader resolves it. */
  path: string;
  level: ImportLevel;
  capability?: string;
  called: boolean;
  /** The call as it would run, e.g. posix.system("echo pwned"), when the arguments were literals. */
  call?: string;
}

export interface HiddenStage {
  /** Offset of the value in the file's own pickle stream (the outermost stage's carrier for deep ones). */
  offset: number;
  /** Encoded length of the value. */
  length: number;
  encoding: PayloadEncoding;
  /** 1 for a payload in the file's own pickle, 2 for one inside that payload, … */
  depth: number;
  imports: HiddenImport[];
  /** Mutations of imported objects the stage performs ("appends to sys.path"). */
  mutations: string[];
  /** Why the inner analysis stopped before a STOP, if it did. */
  stop?: string;
  /** The worst thing the stage does if unpickled: critical when it calls a critical capability. */
  worst: ImportLevel;
}

/** Stages analysed per file, and how deep stages may nest. */
export const MAX_HIDDEN_STAGES = 32;
export const MAX_HIDDEN_DEPTH = 4;
/** Text payloads are decoded in memory up to this many encoded bytes; larger ones are reported unread. */
export const MAX_HIDDEN_TEXT = 64 * 1024 * 1024;
/** Bytes of a value read to decide whether it is a pickle. */
export const HIDDEN_PEEK = 512;
const MIN_PAYLOAD = 8;

export interface HiddenBudget {
  stages: number;
  /** Embedded pickles found past the limits and not analysed. */
  skipped: number;
}

/** Is this the start of a pickle that pickle.loads would run (stricter than the file sniff)? */
export function plausiblePickle(head: Uint8Array, complete: boolean): boolean {
  if (head.length < MIN_PAYLOAD && !complete) return false;
  if (head[0] === 0x80) {
    if (head.length < 3 || head[1] < 2 || head[1] > 5) return false;
    return looksLikePickle(head.subarray(2), complete) === 'yes';
  }
  return looksLikePickle(head, complete) === 'yes';
}

/** How a text value would be turned into pickle bytes, judged from its start; undefined when it would not. */
export function textEncodingOf(head: string, complete: boolean): PayloadEncoding | undefined {
  if (head.length < MIN_PAYLOAD) return undefined;
  const sample = head.slice(0, HIDDEN_PEEK);
  const whole = complete && sample.length === head.length;
  const compact = sample.replace(/\s+/g, '');
  if (/^[0-9a-fA-F]{16}/.test(compact)) {
    const even = compact.slice(0, compact.length & ~1);
    if (/^[0-9a-fA-F]*$/.test(even) && plausiblePickle(decodeHex(even), whole)) return 'hex text';
  }
  if (/^[A-Za-z0-9+/_-]{12}/.test(compact)) {
    const quads = whole ? compact : compact.slice(0, compact.length & ~3);
    const bytes = decodeBase64(quads);
    if (bytes && plausiblePickle(bytes, whole)) return 'base64 text';
  }
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) > 255) return undefined;
  return plausiblePickle(latin1Bytes(sample), whole) ? 'latin-1 text' : undefined;
}

/** Decodes a whole text value the way textEncodingOf said; undefined when it is not valid in that encoding. */
export function decodeText(text: string, encoding: PayloadEncoding): Uint8Array | undefined {
  if (encoding === 'hex text') {
    const compact = text.replace(/\s+/g, '');
    return /^(?:[0-9a-fA-F]{2})*$/.test(compact) ? decodeHex(compact) : undefined;
  }
  if (encoding === 'base64 text') return decodeBase64(text.replace(/\s+/g, ''));
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 255) return undefined;
  return latin1Bytes(text);
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function decodeHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

const B64 = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64[c.charCodeAt(0)] = i;
});
B64['-'.charCodeAt(0)] = 62;
B64['_'.charCodeAt(0)] = 63;

/** Standard or URL-safe base64, padding optional; undefined on any other character. */
function decodeBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? B64[c] : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Renders literal call arguments as Python would print them, shortened: ("cat ~/.aws/secrets", 1). */
export function pythonArgs(args: readonly unknown[], max = 160): string {
  const text = args.map(pythonLiteral).join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function pythonLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 199)}…` : v);
  if (Array.isArray(v)) return `(${v.map(pythonLiteral).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}
