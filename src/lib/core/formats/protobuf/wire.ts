import type { ByteSource } from '../../bytes/byte-source';

export const WireType = { varint: 0, i64: 1, len: 2, i32: 5 } as const;

/** A structural problem in protobuf bytes, with the absolute offset where it was found. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(`${message} (at offset ${offset})`);
    this.name = 'ProtoError';
  }
}

export interface ProtoLimits {
  /** Nesting of messages read through `fields`. */
  maxDepth: number;
  /** Fields visited in total by one reader (bounds the work on hostile files). */
  maxFields: number;
}

export const DEFAULT_PROTO_LIMITS: ProtoLimits = { maxDepth: 100, maxFields: 20_000_000 };

export interface ProtoField {
  field: number;
  wire: number;
  /** Offset of the tag. */
  offset: number;
  /** varint / i32 / i64 value as a number (values above 2^53 lose precision; callers only compare them). */
  value: number;
  /** For length-delimited fields: where the payload starts and how long it is. Not read until asked. */
  start: number;
  length: number;
}

/** A message body: the byte range [start, end) of the source. */
export interface ProtoRange {
  start: number;
  end: number;
  depth: number;
}

/**
 * Iterates protobuf fields over a ByteSource without copying length-delimited payloads: a nested message is
 * another range to iterate, big `bytes` fields (tensor data) are never read. Every length is checked against
 * the enclosing message, varints longer than 10 bytes and groups are malformed. Tags and varints are decoded
 * synchronously from a window over the source; only a window refill awaits.
 */
export class ProtoReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private visited = 0;

  constructor(
    readonly src: ByteSource,
    readonly limits: ProtoLimits = DEFAULT_PROTO_LIMITS,
    private readonly windowSize = 256 * 1024
  ) {}

  get fieldsVisited(): number {
    return this.visited;
  }

  root(): ProtoRange {
    return { start: 0, end: this.src.size, depth: 0 };
  }

  /** The payload of a length-delimited field as a message range one level deeper than `parent`. */
  child(f: ProtoField, parent: ProtoRange): ProtoRange {
    if (f.wire !== WireType.len) throw new ProtoError(`field ${f.field} is not a message`, f.offset);
    const depth = parent.depth + 1;
    if (depth > this.limits.maxDepth) {
      throw new ProtoError(`messages nested deeper than ${this.limits.maxDepth} levels`, f.start);
    }
    return { start: f.start, end: f.start + f.length, depth };
  }

  /** Makes [pos, min(pos + n, end)) available in the window. */
  private async fill(pos: number, n: number, end: number): Promise<void> {
    const want = Math.min(pos + n, end);
    if (pos >= this.windowStart && want <= this.windowStart + this.window.length) return;
    this.windowStart = pos;
    this.window = await this.src.read(pos, Math.max(want - pos, this.windowSize));
    if (this.window.length < want - pos) throw new ProtoError('the file ends inside a message', pos);
  }

  /** Decodes a varint at `pos` (already in the window); returns [value, next position]. */
  private varint(pos: number, end: number): [number, number] {
    const at = pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new ProtoError('varint runs past the end of its message', at);
      const b = this.window[pos++ - this.windowStart];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return [value, pos];
    }
    throw new ProtoError('varint longer than 10 bytes', at);
  }

  async *fields(range: ProtoRange): AsyncGenerator<ProtoField> {
    let pos = range.start;
    while (pos < range.end) {
      if (++this.visited > this.limits.maxFields) {
        throw new ProtoError(`more than ${this.limits.maxFields} protobuf fields`, pos);
      }
      // A tag and a varint or fixed value take at most 20 bytes.
      await this.fill(pos, 20, range.end);
      const [tag, afterTag] = this.varint(pos, range.end);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0 || field > 0x1fffffff) throw new ProtoError(`invalid field number ${field}`, pos);
      const f: ProtoField = { field, wire, offset: pos, value: 0, start: 0, length: 0 };
      if (wire === WireType.varint) {
        [f.value, pos] = this.varint(afterTag, range.end);
      } else if (wire === WireType.len) {
        const [length, start] = this.varint(afterTag, range.end);
        if (length > range.end - start) {
          throw new ProtoError(
            `field ${field} claims ${length} bytes but its message has ${range.end - start} left`,
            afterTag
          );
        }
        f.start = start;
        f.length = length;
        pos = start + length;
      } else if (wire === WireType.i32 || wire === WireType.i64) {
        const n = wire === WireType.i32 ? 4 : 8;
        if (afterTag + n > range.end)
          throw new ProtoError(`fixed-width field ${field} runs past its message`, pos);
        const b = this.window.subarray(afterTag - this.windowStart, afterTag - this.windowStart + n);
        const lo = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
        f.value = n === 4 ? lo : lo + (b[4] | (b[5] << 8) | (b[6] << 16)) * 0x100000000 + b[7] * 2 ** 56;
        pos = afterTag + n;
      } else {
        throw new ProtoError(`unsupported wire type ${wire} (groups are not used by these formats)`, pos);
      }
      yield f;
    }
  }

  /** Copies a length-delimited payload of at most `max` bytes; longer ones are an error the caller handles. */
  async bytes(f: ProtoField, max: number): Promise<Uint8Array> {
    if (f.wire !== WireType.len) throw new ProtoError(`field ${f.field} is not length-delimited`, f.offset);
    if (f.length > max)
      throw new ProtoError(`field ${f.field} is ${f.length} bytes, more than the ${max} read`, f.start);
    const data = await this.src.read(f.start, f.length);
    if (data.length !== f.length) throw new ProtoError(`field ${f.field} is cut short`, f.start);
    return data.slice();
  }

  /** A string field, cut to `max` bytes (names longer than that are shortened, never buffered whole). */
  async string(f: ProtoField, max = 4096): Promise<string> {
    if (f.wire !== WireType.len) throw new ProtoError(`field ${f.field} is not a string`, f.offset);
    const data = await this.src.read(f.start, Math.min(f.length, max));
    return new TextDecoder('utf-8', { fatal: false }).decode(data);
  }
}
