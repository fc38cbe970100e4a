import type { ByteSource } from '../bytes/byte-source';
import { WindowCursor } from '../formats/pickle/cursor';
import { opcodeName } from '../formats/pickle/opcodes';
import { decodeLong } from '../formats/pickle/text';
import { ConvertError } from './errors';
import { LongText, PyBytes } from './values';

/**
 * Pickle operands read from one window of bytes: fixed-size integers synchronously after `need`, short
 * text copied, long strings and byte payloads skipped by offset without being read.
 */
export class OperandReader {
  readonly cur: WindowCursor;
  /** Offset of the opcode being read (for error messages). */
  opStart = 0;

  constructor(
    src: ByteSource,
    start: number,
    private readonly maxCopy: number
  ) {
    this.cur = new WindowCursor(src, start);
  }

  async need(n: number): Promise<void> {
    const cur = this.cur;
    if (cur.end - cur.pos >= n) return;
    if ((await cur.fill(n)) < n) this.fail(`the data ends inside the operand of ${this.opName()}`);
  }

  u8(): number {
    const c = this.cur;
    return c.buf[c.pos++ - c.base];
  }

  u16(): number {
    const c = this.cur;
    const i = c.pos - c.base;
    c.pos += 2;
    return c.buf[i] | (c.buf[i + 1] << 8);
  }

  u32(): number {
    const c = this.cur;
    const b = c.buf;
    const i = c.pos - c.base;
    c.pos += 4;
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
  }

  i32(): number {
    const u = this.u32();
    return u >= 0x80000000 ? u - 0x100000000 : u;
  }

  /** u64 as a number; values beyond 2^53 become Infinity and fail the bounds checks. */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }

  f64be(): number {
    const c = this.cur;
    const i = c.pos - c.base;
    c.pos += 8;
    return new DataView(c.buf.buffer, c.buf.byteOffset + i, 8).getFloat64(0, false);
  }

  /** A newline-terminated operand (without the newline): names and numbers, so it must be short. */
  async line(): Promise<Uint8Array> {
    const cur = this.cur;
    const max = this.maxCopy;
    let nl = cur.findNewline();
    if (nl < 0 || nl - (cur.pos - cur.base) > max) {
      await cur.fill(max + 1);
      nl = cur.findNewline();
    }
    const start = cur.pos - cur.base;
    if (nl < 0 || nl - start > max) {
      this.fail(
        nl < 0 && cur.end >= cur.size
          ? `the data ends inside the text operand of ${this.opName()}`
          : `a text operand of ${this.opName()} is longer than ${max} bytes`
      );
    }
    const line = cur.buf.slice(start, nl);
    cur.pos = cur.base + nl + 1;
    return line;
  }

  /** A length-prefixed string operand: decoded when short, otherwise skipped and returned as LongText. */
  async text(n: number, decode: (b: Uint8Array) => string): Promise<string | LongText> {
    const cur = this.cur;
    this.checkLength(n);
    if (n > this.maxCopy) {
      cur.pos += n;
      return new LongText(n);
    }
    await this.need(n);
    const i = cur.pos - cur.base;
    const s = decode(cur.buf.subarray(i, i + n));
    cur.pos += n;
    return s;
  }

  skipBytes(n: number): PyBytes {
    this.checkLength(n);
    this.cur.pos += n;
    return new PyBytes(n);
  }

  /** LONG1/LONG4: integers of more than 1 KiB are never a shape or an offset, so they are skipped. */
  async long(n: number): Promise<number | bigint | LongText> {
    this.checkLength(n);
    if (n > 1024) {
      this.cur.pos += n;
      return new LongText(n);
    }
    await this.need(n);
    const i = this.cur.pos - this.cur.base;
    const v = decodeLong(this.cur.buf.subarray(i, i + n));
    this.cur.pos += n;
    return v;
  }

  private checkLength(n: number): void {
    const cur = this.cur;
    if (!(n <= cur.size - cur.pos)) {
      this.fail(`${this.opName()} declares ${n} bytes but only ${cur.size - cur.pos} remain`);
    }
  }

  opName(): string {
    const c = this.cur;
    const at = this.opStart - c.base;
    return at >= 0 && at < c.buf.length ? opcodeName(c.buf[at]) : 'an opcode';
  }

  fail(message: string): never {
    throw new ConvertError(message, this.opStart);
  }
}
