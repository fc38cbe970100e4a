import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import type { FindingInput } from '../types';
import { dtypeBits } from './dtypes';
import { checkMetadataText } from './metadata';
import { isJsonObject, JsonSyntaxError, parseStrictJson, type JsonValue } from './strict-json';

/** The reference loader refuses headers above this (safetensors' MAX_HEADER_SIZE). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the data area, which starts right after the header. */
  start: number;
  end: number;
  elements: bigint;
}

export interface SafetensorsHeader {
  headerLength: number;
  dataStart: number;
  dataSize: number;
  /** Tensors whose entry is well-formed, in header order. */
  tensors: SafetensorsTensor[];
  metadata: Map<string, string>;
  parameterCount: bigint;
  /** The header JSON, for evidence. */
  text: string;
}

export interface SafetensorsParse {
  header?: SafetensorsHeader;
  problems: FindingInput[];
}

const REFUSED =
  'The safetensors loader refuses this file, so it cannot be loaded as is; a tool that parses it differently may still read it.';

function refused(
  ruleId: string,
  title: string,
  detail: string,
  offset?: number,
  excerpt?: string
): FindingInput {
  return {
    ruleId,
    severity: 'medium',
    title,
    message: `${detail} ${REFUSED}`,
    offset,
    evidence: excerpt === undefined ? {} : { excerpt: shorten(excerpt, 300) }
  };
}

function readU64(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const hi = view.getUint32(4, true);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + view.getUint32(0, true);
}

/** Reads and checks the header of a safetensors file; never reads tensor data. */
export async function parseSafetensors(src: ByteSource): Promise<SafetensorsParse> {
  const problems: FindingInput[] = [];
  if (src.size < 8) {
    problems.push(
      refused(
        'safetensors.truncated',
        'File shorter than the 8-byte header length',
        `The file has ${src.size} bytes.`
      )
    );
    return { problems };
  }
  const headerLength = readU64(await src.read(0, 8));
  const details = {
    headerLength: Number.isFinite(headerLength) ? headerLength : '≥ 2^53',
    fileSize: src.size
  };
  if (headerLength > MAX_SAFETENSORS_HEADER) {
    problems.push({
      ...refused(
        'safetensors.header-too-large',
        'Header length is out of bounds',
        `The header claims ${details.headerLength} bytes; the loader accepts at most ${MAX_SAFETENSORS_HEADER}.`,
        0
      ),
      evidence: { details }
    });
    return { problems };
  }
  if (8 + headerLength > src.size) {
    problems.push({
      ...refused(
        'safetensors.header-out-of-bounds',
        'Header runs past the end of the file',
        `The header claims ${headerLength} bytes but only ${src.size - 8} follow.`,
        0
      ),
      evidence: { details }
    });
    return { problems };
  }
  const raw = await src.read(8, headerLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    problems.push(
      refused(
        'safetensors.header-utf8',
        'Header is not valid UTF-8',
        'The JSON header contains invalid UTF-8.',
        8
      )
    );
    return { problems };
  }
  if (!text.startsWith('{')) {
    problems.push(
      refused(
        'safetensors.header-start',
        'Header does not start with "{"',
        'The header is not a JSON object.',
        8,
        text
      )
    );
    return { problems };
  }
  let root: JsonValue;
  try {
    const parsed = parseStrictJson(text, { maxDepth: 32 });
    root = parsed.value;
    for (const dup of parsed.duplicates) {
      problems.push({
        ruleId: 'safetensors.duplicate-key',
        severity: 'high',
        title: 'Duplicate key in the header',
        message: `The key "${shorten(dup.key, 80)}" appears more than once in ${dup.pointer}. JSON parsers disagree on which copy wins (first, last, or refuse), so two tools can see different tensors or metadata in the same file — a classic way to hide a payload from a scanner. Only the first copy was analysed.`,
        offset: 8,
        evidence: { name: shorten(dup.key, 120), details: { pointer: shorten(dup.pointer, 120) } }
      });
    }
  } catch (err) {
    const at = err instanceof JsonSyntaxError ? err.offset : 0;
    problems.push(
      refused(
        'safetensors.header-json',
        'Header is not valid JSON',
        `${shorten(String((err as Error).message), 160)}.`,
        8,
        text.slice(Math.max(0, at - 80), at + 80)
      )
    );
    return { problems };
  }
  if (!isJsonObject(root)) {
    problems.push(
      refused(
        'safetensors.header-json',
        'Header is not a JSON object',
        'The header must map tensor names to entries.',
        8,
        text
      )
    );
    return { problems };
  }
  const dataStart = 8 + headerLength;
  const header: SafetensorsHeader = {
    headerLength,
    dataStart,
    dataSize: src.size - dataStart,
    tensors: [],
    metadata: new Map(),
    parameterCount: 0n,
    text
  };
  for (const [name, entry] of root) {
    if (name === '__metadata__') readMetadata(entry, header, problems);
    else {
      const tensor = readTensor(name, entry, header, problems);
      if (tensor) {
        header.tensors.push(tensor);
        header.parameterCount += tensor.elements;
      }
    }
  }
  checkLayout(header, problems);
  return { header, problems };
}

function readMetadata(entry: JsonValue, header: SafetensorsHeader, problems: FindingInput[]): void {
  if (!isJsonObject(entry)) {
    problems.push(
      refused(
        'safetensors.metadata-invalid',
        '__metadata__ is not an object',
        'The metadata must map strings to strings.',
        8
      )
    );
    return;
  }
  for (const [key, value] of entry) {
    if (typeof value !== 'string') {
      problems.push(
        refused(
          'safetensors.metadata-invalid',
          'Metadata value is not a string',
          `The metadata entry "${shorten(key, 80)}" is not a string.`,
          8
        )
      );
      continue;
    }
    header.metadata.set(key, value);
  }
  problems.push(...checkMetadataText(header.metadata));
}

function isDimension(v: JsonValue): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function readTensor(
  name: string,
  entry: JsonValue,
  header: SafetensorsHeader,
  problems: FindingInput[]
): SafetensorsTensor | undefined {
  const shown = shorten(name, 120);
  const bad = (detail: string) => {
    problems.push({
      ...refused('safetensors.tensor-invalid', 'Malformed tensor entry', `Tensor "${shown}": ${detail}.`, 8),
      evidence: { name: shown }
    });
    return undefined;
  };
  if (!isJsonObject(entry)) return bad('the entry is not an object');
  const dtype = entry.get('dtype');
  const shape = entry.get('shape');
  const offsets = entry.get('data_offsets');
  if (typeof dtype !== 'string') return bad('dtype is missing or not a string');
  const bits = dtypeBits(dtype);
  if (bits === undefined) return bad(`unknown dtype "${shorten(dtype, 40)}"`);
  if (!Array.isArray(shape) || !shape.every(isDimension))
    return bad('shape is not a list of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDimension)) {
    return bad('data_offsets is not a pair of non-negative integers');
  }
  const extra = [...entry.keys()].filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length > 0) {
    problems.push({
      ruleId: 'safetensors.tensor-extra-field',
      severity: 'low',
      title: 'Unexpected field in a tensor entry',
      message: `Tensor "${shown}" has fields the format does not define (${shorten(extra.join(', '), 100)}); loaders ignore them.`,
      offset: 8,
      evidence: { name: shown }
    });
  }
  const [start, end] = offsets;
  if (end < start) return bad(`data_offsets end ${end} is before start ${start}`);
  const elements = shape.reduce((acc, d) => acc * BigInt(d), 1n);
  const totalBits = elements * BigInt(bits);
  if (totalBits % 8n !== 0n) return bad(`${elements} elements of ${dtype} do not fill whole bytes`);
  const expected = totalBits / 8n;
  if (expected !== BigInt(end - start)) {
    problems.push({
      ...refused(
        'safetensors.size-mismatch',
        'Tensor size does not match its shape',
        `Tensor "${shown}" is ${dtype} ${JSON.stringify(shape)} = ${expected} bytes, but its data_offsets span ${end - start} bytes.`,
        8
      ),
      evidence: {
        name: shown,
        details: { dtype, shape: JSON.stringify(shape), start, end, expectedBytes: expected.toString() }
      }
    });
    return undefined;
  }
  if (end > header.dataSize) {
    problems.push({
      ...refused(
        'safetensors.out-of-bounds',
        'Tensor lies past the end of the file',
        `Tensor "${shown}" ends at data offset ${end}, but the data area holds ${header.dataSize} bytes.`,
        header.dataStart + Math.min(start, header.dataSize)
      ),
      evidence: { name: shown, details: { start, end, dataSize: header.dataSize } }
    });
    return undefined;
  }
  return { name, dtype, shape: shape, start, end, elements };
}

const ACCEPTED_BY_SOME =
  'The reference Rust loader refuses this, but parsers that simply read each tensor at its own offsets (older or third-party readers, hand-written converters) accept it.';

function checkLayout(header: SafetensorsHeader, problems: FindingInput[]): void {
  const sorted = header.tensors
    .filter((t) => t.end > t.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsTensor | undefined;
  for (const t of sorted) {
    if (previous && t.start < cursor) {
      problems.push({
        ruleId: 'safetensors.overlap',
        severity: 'high',
        title: 'Tensors overlap',
        message: `Tensors "${shorten(previous.name, 80)}" and "${shorten(t.name, 80)}" share bytes. Writers never produce this; it means the file was crafted so that changing one tensor changes another. ${ACCEPTED_BY_SOME}`,
        offset: header.dataStart + t.start,
        evidence: {
          details: {
            first: shorten(previous.name, 120),
            firstEnd: previous.end,
            second: shorten(t.name, 120),
            secondStart: t.start
          }
        }
      });
    } else if (t.start > cursor) {
      problems.push(gap(header, cursor, t.start, `before tensor "${shorten(t.name, 80)}"`));
    }
    if (t.end > cursor) {
      cursor = t.end;
      previous = t;
    }
  }
  if (cursor < header.dataSize) problems.push(gap(header, cursor, header.dataSize, 'after the last tensor'));
}

function gap(header: SafetensorsHeader, from: number, to: number, where: string): FindingInput {
  const trailing = to === header.dataSize;
  return {
    ruleId: trailing ? 'safetensors.trailing-data' : 'safetensors.gap',
    severity: 'high',
    title: trailing ? 'Unaccounted bytes after the last tensor' : 'Unaccounted bytes between tensors',
    message: `${to - from} bytes ${where} belong to no tensor. Writers pack tensors back to back, so these bytes are hidden data (a second file, a payload for another tool). ${ACCEPTED_BY_SOME}`,
    offset: header.dataStart + from,
    evidence: { details: { start: from, end: to, bytes: to - from } }
  };
}
