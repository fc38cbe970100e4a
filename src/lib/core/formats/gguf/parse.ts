import type { ByteSource } from '../../bytes/byte-source';
import { SequentialReader } from '../../bytes/reader';
import { shorten } from '../../findings';
import type { FindingInput } from '../types';
import { GGML_TYPES } from './ggml-types';

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

/** Bounds on everything read from the header (real files: ~50 keys, ≤ 3 000 tensors, 256k-entry vocabularies). */
export const GGUF_LIMITS = {
  maxKeyBytes: 64 * 1024,
  /** Strings kept in memory (templates, general.*); longer ones are skipped by length. */
  maxKeptString: 4 * 1024 * 1024,
  maxKvCount: 100_000,
  maxTensorCount: 1_000_000,
  maxArrayNesting: 4,
  /** Individually visited array elements (strings, nested arrays) over the whole header. */
  maxVisitedElements: 20_000_000,
  maxDims: 4
};

export const GGUF_VALUE_TYPES = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64'
];
const FIXED_SIZE: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8
};
const STRING = 8;
const ARRAY = 9;

export interface GgufString {
  key: string;
  value: string;
  offset: number;
}

export interface GgufTensor {
  name: string;
  dims: number[];
  type: number;
  /** Relative to the data section. */
  offset: number;
  /** Undefined when the type is unknown or the size is not representable. */
  bytes?: number;
  infoOffset: number;
}

/** Filled progressively, so a caller can still use what was read when parsing stops early. */
export interface GgufFile {
  version: number;
  tensorCount: number;
  kvCount: number;
  alignment: number;
  dataStart: number;
  /** Every key with its declared type; `value` is the value as text for scalars, short strings and arrays. */
  keys: Map<string, { type: string; offset: number; value?: string }>;
  /** String values worth keeping: `general.*`, `tokenizer.chat_template*` and any key naming a template. */
  strings: GgufString[];
  tensors: GgufTensor[];
  parameterCount: bigint;
  problems: FindingInput[];
  /** Set when a limit or a malformed field stopped the parse; the rest of the header was not read. */
  stoppedAt?: string;
  stoppedOffset?: number;
  /** True when the header breaks the format (llama.cpp refuses it), false when only a limit was reached. */
  malformed?: boolean;
}

export function isKeptString(key: string): boolean {
  return key.startsWith('general.') || /template/i.test(key);
}

class LimitReached extends Error {}

/** Other strings up to this length are kept as a key's shown value (e.g. tokenizer.ggml.model = "llama"). */
const SHOWN_STRING = 256;

function noteValue(out: GgufFile, key: string, keyOffset: number, value: string): void {
  const entry = out.keys.get(key);
  if (entry && entry.offset === keyOffset) entry.value = value;
}

function scalarText(type: number, bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 0:
      return String(v.getUint8(0));
    case 1:
      return String(v.getInt8(0));
    case 2:
      return String(v.getUint16(0, true));
    case 3:
      return String(v.getInt16(0, true));
    case 4:
      return String(v.getUint32(0, true));
    case 5:
      return String(v.getInt32(0, true));
    case 6:
      return String(v.getFloat32(0, true));
    case 7:
      return v.getUint8(0) === 0 ? 'false' : v.getUint8(0) === 1 ? 'true' : `invalid bool ${v.getUint8(0)}`;
    case 10:
      return v.getBigUint64(0, true).toString();
    case 11:
      return v.getBigInt64(0, true).toString();
    default:
      return String(v.getFloat64(0, true));
  }
}

/** "array of 32000 string", read ahead of the array without consuming it. */
async function arraySummary(r: SequentialReader, v1: boolean): Promise<string> {
  const head = await r.src.read(r.pos, v1 ? 8 : 12);
  if (head.length < (v1 ? 8 : 12)) return 'array';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const elementType = view.getUint32(0, true);
  const n = v1 ? view.getUint32(4, true) : view.getUint32(4, true) + view.getUint32(8, true) * 0x100000000;
  return `array of ${n} ${GGUF_VALUE_TYPES[elementType] ?? `type ${elementType}`}`;
}

export async function parseGguf(src: ByteSource, out: GgufFile = emptyGguf()): Promise<GgufFile> {
  const r = new SequentialReader(src, 0, 1024 * 1024);
  if ((await r.u32le()) !== GGUF_MAGIC) throw new Error('not a GGUF file (bad magic)');
  out.version = await r.u32le();
  if (out.version < 1 || out.version > 3) {
    out.stoppedAt = `unknown GGUF version ${out.version} (1–3 are defined), so the header layout is unknown`;
    out.stoppedOffset = 4;
    out.malformed = true;
    return out;
  }
  const v1 = out.version === 1;
  const count = async () => (v1 ? r.u32le() : r.u64le());
  out.tensorCount = await count();
  out.kvCount = await count();
  try {
    checkCount(out, 'metadata entries', out.kvCount, GGUF_LIMITS.maxKvCount, r.remaining / 9, 8);
    checkCount(out, 'tensors', out.tensorCount, GGUF_LIMITS.maxTensorCount, r.remaining / 20, 8);
    const budget = { elements: 0 };
    const readString = async (max: number): Promise<{ length: number; text?: string }> => {
      const length = await count();
      if (length > r.remaining) r.skip(length); // throws TruncatedError with the position
      if (length > max) {
        r.skip(length);
        return { length };
      }
      return { length, text: new TextDecoder('utf-8').decode(await r.bytes(length)) };
    };
    const skipValue = async (type: number, depth: number): Promise<void> => {
      const fixed = FIXED_SIZE[type];
      if (fixed !== undefined) return r.skip(fixed);
      if (type === STRING) return void (await readString(0));
      if (type !== ARRAY) throw new BadHeader(`unknown value type ${type}`, r.pos - 4);
      if (depth >= GGUF_LIMITS.maxArrayNesting)
        throw stop(out, `arrays nested deeper than ${GGUF_LIMITS.maxArrayNesting}`);
      const elementType = await r.u32le();
      const n = await count();
      const elementSize = FIXED_SIZE[elementType];
      if (elementSize !== undefined) {
        if (n * elementSize > r.remaining) r.skip(n * elementSize);
        return r.skip(n * elementSize);
      }
      if (elementType !== STRING && elementType !== ARRAY)
        throw new BadHeader(`unknown array element type ${elementType}`, r.pos - 12);
      const lengthSize = v1 ? 4 : 8;
      if (n > r.remaining / lengthSize) r.skip(Number.isFinite(n) ? n * lengthSize : Infinity);
      budget.elements += n;
      if (budget.elements > GGUF_LIMITS.maxVisitedElements)
        throw stop(out, `more than ${GGUF_LIMITS.maxVisitedElements} array elements`);
      if (elementType === STRING) return skipStrings(r, n, lengthSize);
      for (let i = 0; i < n; i++) await skipValue(elementType, depth + 1);
    };

    for (let i = 0; i < out.kvCount; i++) {
      const keyOffset = r.pos;
      const key = await readString(GGUF_LIMITS.maxKeyBytes);
      if (key.text === undefined) throw stop(out, `a key of ${key.length} bytes`);
      const type = await r.u32le();
      if (out.keys.has(key.text)) duplicateKey(out, key.text, keyOffset);
      else out.keys.set(key.text, { type: GGUF_VALUE_TYPES[type] ?? `type ${type}`, offset: keyOffset });
      if (type === STRING && isKeptString(key.text)) {
        const valueOffset = r.pos;
        const value = await readString(GGUF_LIMITS.maxKeptString);
        if (value.text === undefined) tooLongString(out, key.text, value.length, valueOffset);
        else out.strings.push({ key: key.text, value: value.text, offset: valueOffset });
      } else if (key.text === 'general.alignment' && type === 4) {
        out.alignment = await r.u32le();
        noteValue(out, key.text, keyOffset, String(out.alignment));
        if (out.alignment === 0 || (out.alignment & (out.alignment - 1)) !== 0) {
          throw new BadHeader(`general.alignment ${out.alignment} is not a power of two`, r.pos - 4);
        }
      } else if (type === STRING) {
        const value = await readString(SHOWN_STRING);
        noteValue(out, key.text, keyOffset, value.text ?? `(${value.length} bytes, not shown)`);
      } else if (FIXED_SIZE[type] !== undefined) {
        noteValue(out, key.text, keyOffset, scalarText(type, await r.bytes(FIXED_SIZE[type])));
      } else {
        if (type === ARRAY) noteValue(out, key.text, keyOffset, await arraySummary(r, v1));
        await skipValue(type, 0);
      }
    }
    await readTensorInfos(r, out, readString, count);
    out.dataStart = Math.ceil(r.pos / out.alignment) * out.alignment;
  } catch (err) {
    if (err instanceof BadHeader) {
      out.stoppedAt = err.message;
      out.stoppedOffset = err.offset;
      out.malformed = true;
    } else if (!(err instanceof LimitReached)) throw err;
  }
  return out;
}

/** Skips `n` length-prefixed strings, reading lengths from 1 MiB chunks without an await per string. */
async function skipStrings(r: SequentialReader, n: number, lengthSize: number): Promise<void> {
  let left = n;
  while (left > 0) {
    const chunk = await r.src.read(r.pos, 1024 * 1024);
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (left > 0 && at + lengthSize <= chunk.length) {
      const length =
        lengthSize === 4
          ? view.getUint32(at, true)
          : view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x100000000;
      if (at + lengthSize + length > chunk.length) break;
      at += lengthSize + length;
      left--;
    }
    r.skip(at);
    // A string that does not fit in the chunk (or a truncated file) goes through the bounds-checked path.
    if (left > 0 && at === 0) {
      const length = lengthSize === 4 ? await r.u32le() : await r.u64le();
      r.skip(length);
      left--;
    }
  }
}

class BadHeader extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message);
  }
}

function stop(out: GgufFile, what: string, offset?: number): LimitReached {
  out.stoppedAt = what;
  out.stoppedOffset = offset;
  return new LimitReached(what);
}

function checkCount(
  out: GgufFile,
  what: string,
  n: number,
  limit: number,
  possible: number,
  offset: number
): void {
  if (n > possible)
    throw new BadHeader(
      `the header claims ${Number.isFinite(n) ? n : '≥ 2^53'} ${what}, more than the file can hold`,
      offset
    );
  if (n > limit) throw stop(out, `${n} ${what} (limit ${limit})`);
}

function duplicateKey(out: GgufFile, key: string, offset: number): void {
  out.problems.push({
    ruleId: 'gguf.duplicate-key',
    severity: 'high',
    title: 'Duplicate metadata key',
    message: `"${shorten(key, 80)}" is defined more than once. llama.cpp refuses such files, but other readers keep the first or the last copy, so tools can disagree on values such as the chat template. Every copy was analysed.`,
    offset,
    evidence: { name: shorten(key, 120) }
  });
}

function tooLongString(out: GgufFile, key: string, length: number, offset: number): void {
  out.problems.push({
    ruleId: 'gguf.string-too-long',
    severity: 'medium',
    title: 'Metadata string too long to analyse',
    message: `"${shorten(key, 80)}" holds ${length} bytes, more than the ${GGUF_LIMITS.maxKeptString} analysed; it was skipped, so this file is not known to be safe.`,
    offset,
    evidence: { name: shorten(key, 120), details: { length } }
  });
}

async function readTensorInfos(
  r: SequentialReader,
  out: GgufFile,
  readString: (max: number) => Promise<{ length: number; text?: string }>,
  count: () => Promise<number>
): Promise<void> {
  const names = new Set<string>();
  for (let i = 0; i < out.tensorCount; i++) {
    const infoOffset = r.pos;
    const name = await readString(GGUF_LIMITS.maxKeyBytes);
    if (name.text === undefined) throw stop(out, `a tensor name of ${name.length} bytes`);
    const nDims = await r.u32le();
    if (nDims > GGUF_LIMITS.maxDims)
      throw new BadHeader(
        `tensor "${shorten(name.text, 80)}" has ${nDims} dimensions (at most ${GGUF_LIMITS.maxDims})`,
        infoOffset
      );
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await count());
    const type = await r.u32le();
    const offset = await r.u64le();
    if (names.has(name.text)) {
      out.problems.push({
        ruleId: 'gguf.duplicate-tensor',
        severity: 'high',
        title: 'Duplicate tensor name',
        message: `Tensor "${shorten(name.text, 80)}" is defined more than once. llama.cpp refuses this, other readers keep either copy: tools can load different weights.`,
        offset: infoOffset,
        evidence: { name: shorten(name.text, 120) }
      });
    }
    names.add(name.text);
    out.tensors.push({ name: name.text, dims, type, offset, bytes: tensorBytes(dims, type), infoOffset });
    if (dims.every(Number.isFinite)) out.parameterCount += dims.reduce((a, d) => a * BigInt(d), 1n);
  }
}

export function tensorBytes(dims: readonly number[], type: number): number | undefined {
  const t = GGML_TYPES.get(type);
  if (!t || !dims.every(Number.isFinite)) return undefined;
  const [first = 1, ...rest] = dims;
  if (first % t.blockSize !== 0) return undefined;
  const bytes = BigInt(first / t.blockSize) * BigInt(t.typeSize) * rest.reduce((a, d) => a * BigInt(d), 1n);
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : undefined;
}

export function emptyGguf(): GgufFile {
  return {
    version: 0,
    tensorCount: 0,
    kvCount: 0,
    alignment: 32,
    dataStart: 0,
    keys: new Map(),
    strings: [],
    tensors: [],
    parameterCount: 0n,
    problems: []
  };
}
