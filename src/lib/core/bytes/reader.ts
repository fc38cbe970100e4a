import type { ByteSource } from './byte-source';

export class TruncatedError extends Error {
  constructor(
    readonly offset: number,
    readonly wanted: number
  ) {
    super(`unexpected end of data at offset ${offset} (wanted ${wanted} bytes)`);
    this.name = 'TruncatedError';
  }
}

/** The first read of a growing window: a remote source pays for every byte, most headers fit. */
export const FIRST_WINDOW = 64 * 1024;

/**
 * A sequential reader with a window cache over a ByteSource. Small reads are served from the window; large
 * operands can be skipped without being read. All reads are bounds-checked against the source size.
 * The window starts small and doubles on each refill up to `windowSize`: a short header costs one small read
 * (a remote source pays for every byte), a long one still gets large reads.
 */
export class SequentialReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private nextFill: number;
  pos: number;

  constructor(
    readonly src: ByteSource,
    start = 0,
    private readonly windowSize = 1024 * 1024
  ) {
    this.pos = start;
    this.nextFill = Math.min(FIRST_WINDOW, windowSize);
  }

  get size(): number {
    return this.src.size;
  }

  get remaining(): number {
    return this.src.size - this.pos;
  }

  private async ensure(n: number): Promise<void> {
    const end = this.pos + n;
    if (end > this.src.size) throw new TruncatedError(this.pos, n);
    if (this.pos >= this.windowStart && end <= this.windowStart + this.window.length) return;
    this.windowStart = this.pos;
    this.window = await this.src.read(this.pos, Math.max(n, this.nextFill));
    this.nextFill = Math.min(this.nextFill * 2, this.windowSize);
    if (this.window.length < n) throw new TruncatedError(this.pos, n);
  }

  async u8(): Promise<number> {
    await this.ensure(1);
    return this.window[this.pos++ - this.windowStart];
  }

  /** Returns a view valid until the next read; copy it if you keep it. */
  async bytes(n: number): Promise<Uint8Array> {
    if (n > this.windowSize * 64) throw new RangeError(`refusing to buffer ${n} bytes`);
    await this.ensure(n);
    const at = this.pos - this.windowStart;
    this.pos += n;
    return this.window.subarray(at, at + n);
  }

  async u16le(): Promise<number> {
    const b = await this.bytes(2);
    return b[0] | (b[1] << 8);
  }

  async u32le(): Promise<number> {
    const b = await this.bytes(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  }

  async i32le(): Promise<number> {
    const b = await this.bytes(4);
    return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  }

  /** u64 as a number; values above 2^53 are returned as Infinity (callers treat them as out of bounds). */
  async u64le(): Promise<number> {
    const lo = await this.u32le();
    const hi = await this.u32le();
    if (hi >= 0x200000) return Infinity;
    return hi * 0x100000000 + lo;
  }

  /** Advances without reading; throws TruncatedError if that passes the end. */
  skip(n: number): void {
    if (!(n >= 0) || this.pos + n > this.src.size) throw new TruncatedError(this.pos, n);
    this.pos += n;
  }

  /** Reads up to and including `\n`, at most `max` bytes; returns the line without the newline. */
  async line(max: number): Promise<Uint8Array> {
    const start = this.pos;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= this.src.size) throw new TruncatedError(start, out.length + 1);
      const c = await this.u8();
      if (c === 0x0a) return Uint8Array.from(out);
      if (out.length >= max) throw new RangeError(`line longer than ${max} bytes at offset ${start}`);
      out.push(c);
    }
  }
}
