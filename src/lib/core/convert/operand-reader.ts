import type { WindowCursor } from '../formats/pickle/cursor';
import { opcodeName } from '../formats/pickle/opcodes';
import { decodeLong } from '../formats/pickle/text';
import { ConvertError } from './errors';
import { LongText, PyBytes } from './values';

/** LONG1/LONG4 integers of more than 1 KiB are never a shape or an offset, so they are not decoded. */
const MAX_LONG_BYTES = 1024;

/**
 * The operand of the opcode the scanner's pickle machine has just read, taken from where the machine read
 * it: its cursor window. The machine alone decides where an operand starts and ends (lengths, lines, frames,
 * bounds); this only turns the bytes into values. Operands longer than the copy limit were skipped unread,
 * so only their length is known.
 */
export class OperandReader {
  /** Offset of the opcode being built. */
  start = 0;
  code = 0;

  constructor(
    private readonly cur: WindowCursor,
    private readonly maxCopy: number
  ) {}

  /** Bytes [from, to) of the stream, which the machine copied into its window. */
  private window(from: number, to: number): Uint8Array {
    const c = this.cur;
    if (from < c.base || to > c.end || from > to) {
      this.fail(`the operand of ${this.opName()} is not where the scanner read it`);
    }
    return c.buf.subarray(from - c.base, to - c.base);
  }

  private fixed(n: number): Uint8Array {
    return this.window(this.start + 1, this.start + 1 + n);
  }

  u8(): number {
    return this.fixed(1)[0];
  }

  u16(): number {
    const b = this.fixed(2);
    return b[0] | (b[1] << 8);
  }

  u32(): number {
    const b = this.fixed(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  }

  i32(): number {
    const u = this.u32();
    return u >= 0x80000000 ? u - 0x100000000 : u;
  }

  f64be(): number {
    const b = this.fixed(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false);
  }

  /** A newline-terminated operand (without the newline): names and numbers, so it must be short. */
  line(): Uint8Array {
    const from = this.start + 1;
    const to = this.cur.pos - 1;
    if (to - from > this.maxCopy) {
      this.fail(`a text operand of ${this.opName()} is longer than ${this.maxCopy} bytes`);
    }
    return this.window(from, to);
  }

  /** A length-prefixed operand whose length takes `header` bytes: its size, and its bytes when copied. */
  private counted(header: number, limit: number): { n: number; bytes: Uint8Array | undefined } {
    const from = this.start + 1 + header;
    const n = this.cur.pos - from;
    return { n, bytes: n <= Math.min(limit, this.maxCopy) ? this.window(from, this.cur.pos) : undefined };
  }

  /** A string operand: decoded when short, otherwise LongText (never a usable name). */
  text(header: number, decode: (b: Uint8Array) => string): string | LongText {
    const { n, bytes } = this.counted(header, Infinity);
    return bytes ? decode(bytes) : new LongText(n);
  }

  /** A bytes operand: only its length is kept. */
  skipped(header: number): PyBytes {
    return new PyBytes(this.cur.pos - (this.start + 1 + header));
  }

  long(header: number): number | bigint | LongText {
    const { n, bytes } = this.counted(header, MAX_LONG_BYTES);
    return bytes ? decodeLong(bytes) : new LongText(n);
  }

  opName(): string {
    return opcodeName(this.code);
  }

  fail(message: string): never {
    throw new ConvertError(message, this.start);
  }
}
