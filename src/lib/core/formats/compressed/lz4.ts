import type { Outcome } from './bounded';

const FRAME_MAGIC = 0x184d2204;

class Output {
  buf = new Uint8Array(64 * 1024);
  length = 0;
  constructor(private readonly cap: number) {}
  ensure(extra: number): void {
    const need = this.length + extra;
    if (need > this.cap)
      throw new RangeError(`lz4 data decompresses to more than ${this.cap} bytes (the limit)`);
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.min(this.cap, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}

function decodeBlock(src: Uint8Array, out: Output): void {
  let p = 0;
  while (p < src.length) {
    const token = src[p++];
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        b = src[p++];
        literals += b;
      } while (b === 255 && p < src.length);
    }
    if (p + literals > src.length) throw new Error('literal run past the end of the block');
    out.ensure(literals);
    out.buf.set(src.subarray(p, p + literals), out.length);
    out.length += literals;
    p += literals;
    if (p >= src.length) return;
    const distance = src[p] | (src[p + 1] << 8);
    p += 2;
    let match = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        b = src[p++];
        match += b;
      } while (b === 255 && p < src.length);
    }
    if (distance === 0 || distance > out.length) throw new Error('match offset outside the output');
    out.ensure(match);
    const from = out.length - distance;
    for (let i = 0; i < match; i++) out.buf[out.length + i] = out.buf[from + i];
    out.length += match;
  }
}

/** LZ4 frame format (what python-lz4's lz4.frame writes, as used by joblib), bounded by `cap`. */
export function decodeLz4Frames(input: Uint8Array, cap: number): Outcome {
  const out = new Output(cap);
  let p = 0;
  try {
    while (p + 4 <= input.length) {
      const magic = u32(input, p);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        p += 8 + u32(input, p + 4);
        continue;
      }
      if (magic !== FRAME_MAGIC) break;
      const flg = input[p + 4];
      if (flg >> 6 !== 1) throw new Error('unsupported lz4 frame version');
      p += 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
      for (;;) {
        if (p + 4 > input.length) throw new Error('lz4 frame ends early');
        const word = u32(input, p);
        p += 4;
        if (word === 0) break;
        const size = word & 0x7fffffff;
        if (p + size > input.length) throw new Error('lz4 block runs past the end');
        const block = input.subarray(p, p + size);
        if (word & 0x80000000) {
          out.ensure(size);
          out.buf.set(block, out.length);
          out.length += size;
        } else decodeBlock(block, out);
        p += size + (flg & 0x10 ? 4 : 0);
      }
      if (flg & 0x04) p += 4;
    }
  } catch (err) {
    const reason = String((err as Error).message);
    return { ok: false, reason, bomb: reason.includes('limit'), produced: out.length, consumed: p };
  }
  return { ok: true, bytes: out.buf.subarray(0, out.length) };
}
