import type { ByteSource } from '../../bytes/byte-source';
import { FIRST_WINDOW } from '../../bytes/reader';

/**
 * A forward cursor over a ByteSource that keeps one window of bytes in memory. The analyser reads opcodes
 * synchronously from `buf` and only awaits `fill` when fewer bytes than an opcode needs remain in the window,
 * so the inner loop costs no promise per opcode. Large operands are skipped by moving `pos`. The window grows
 * from FIRST_WINDOW to `windowSize` (doubling per fill): a file that is no pickle costs one small read.
 */
export class WindowCursor {
  buf: Uint8Array = new Uint8Array(0);
  /** Absolute offset of buf[0]. */
  base: number;
  pos: number;
  readonly size: number;
  private nextFill: number;

  constructor(
    readonly src: ByteSource,
    start: number,
    private readonly windowSize = 1 << 20
  ) {
    this.base = start;
    this.pos = start;
    this.size = src.size;
    this.nextFill = Math.min(FIRST_WINDOW, windowSize);
  }

  /** Absolute offset just past the window. */
  get end(): number {
    return this.base + this.buf.length;
  }

  /** Makes at least `n` bytes from `pos` available when the source has them; returns how many are. */
  async fill(n: number): Promise<number> {
    const have = this.end - this.pos;
    if (have >= n || this.end >= this.size) return Math.max(0, Math.min(have, this.size - this.pos));
    const want = Math.min(Math.max(n, this.nextFill), this.size - this.pos);
    this.nextFill = Math.min(this.nextFill * 2, this.windowSize);
    this.buf = await this.src.read(this.pos, want);
    this.base = this.pos;
    return Math.min(this.buf.length, n);
  }

  /** Index in `buf` of the next `\n` at or after `pos`, or -1 when it is not in the window. */
  findNewline(): number {
    return this.buf.indexOf(0x0a, this.pos - this.base);
  }
}
