/**
 * A bounded decoder for the legacy ".lzma" (LZMA-alone) format: what Python's lzma.FORMAT_ALONE and
 * joblib's 'lzma' compressor write. It follows the LZMA SDK's reference decoder (LzmaSpec): a 13-byte header
 * (properties, dictionary size, uncompressed size or "unknown"), then one range-coded LZMA1 stream with an
 * optional end marker. Written here because the maintained npm LZMA-alone decoder (lzma1) only offers a
 * one-shot decompress into an unbounded buffer and allocates the dictionary size the header asks for, and
 * xz-decompress reads only .xz containers. The output never grows past `maxOutput` bytes.
 */
import { DecompressError } from './errors';

const PROB_INIT = 1024;
const NUM_STATES = 12;
const POS_BITS_MAX = 4;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const MATCH_MIN_LEN = 2;

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  pos: number;
  constructor(
    private readonly data: Uint8Array,
    start: number
  ) {
    this.pos = start;
    if (this.byte() !== 0) throw new DecompressError('LZMA_CORRUPT', 'corrupt LZMA range coder start');
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.byte()) >>> 0;
    if (this.code === this.range) throw new DecompressError('LZMA_CORRUPT', 'corrupt LZMA range coder start');
  }

  private byte(): number {
    if (this.pos >= this.data.length) throw new DecompressError('LZMA_CORRUPT', 'the LZMA data is truncated');
    return this.data[this.pos++];
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.byte()) >>> 0;
    }
  }

  bit(probs: Uint16Array, i: number): number {
    const p = probs[i];
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      probs[i] = p + ((2048 - p) >>> 5);
      this.range = bound;
      bit = 0;
    } else {
      probs[i] = p - (p >>> 5);
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    this.normalize();
    return bit;
  }

  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      this.normalize();
      result = ((result << 1) | bit) >>> 0;
    }
    return result;
  }

  get finishedOk(): boolean {
    return this.code === 0;
  }
}

function tree(rc: RangeDecoder, probs: Uint16Array, offset: number, bits: number): number {
  let m = 1;
  for (let i = 0; i < bits; i++) m = (m << 1) | rc.bit(probs, offset + m);
  return m - (1 << bits);
}

function reverseTree(rc: RangeDecoder, probs: Uint16Array, offset: number, bits: number): number {
  let m = 1;
  let symbol = 0;
  for (let i = 0; i < bits; i++) {
    const bit = rc.bit(probs, offset + m);
    m = (m << 1) | bit;
    symbol |= bit << i;
  }
  return symbol;
}

class LenDecoder {
  private readonly choice = new Uint16Array(2).fill(PROB_INIT);
  private readonly low = new Uint16Array((1 << POS_BITS_MAX) << 3).fill(PROB_INIT);
  private readonly mid = new Uint16Array((1 << POS_BITS_MAX) << 3).fill(PROB_INIT);
  private readonly high = new Uint16Array(256).fill(PROB_INIT);

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return tree(rc, this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + tree(rc, this.mid, posState << 3, 3);
    return 16 + tree(rc, this.high, 0, 8);
  }
}

export interface LzmaHeader {
  lc: number;
  lp: number;
  pb: number;
  dictionarySize: number;
  /** Declared uncompressed size, or undefined when the stream ends with an end marker. */
  size?: number;
}

export function readLzmaHeader(data: Uint8Array): LzmaHeader {
  if (data.length < 13) throw new DecompressError('LZMA_CORRUPT', 'the LZMA header is truncated');
  let props = data[0];
  if (props >= 9 * 5 * 5) throw new DecompressError('LZMA_CORRUPT', 'invalid LZMA properties byte');
  const lc = props % 9;
  props = Math.floor(props / 9);
  const lp = props % 5;
  const pb = Math.floor(props / 5);
  const dictionarySize = (data[1] | (data[2] << 8) | (data[3] << 16)) + data[4] * 0x1000000;
  const unknown = data.subarray(5, 13).every((b) => b === 0xff);
  let size: number | undefined;
  if (!unknown) {
    const lo = (data[5] | (data[6] << 8) | (data[7] << 16)) + data[8] * 0x1000000;
    const hi = (data[9] | (data[10] << 8) | (data[11] << 16)) + data[12] * 0x1000000;
    size = hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }
  return { lc, lp, pb, dictionarySize: Math.max(dictionarySize, 4096), size };
}

/**
 * Decodes an LZMA-alone stream. Throws DecompressError for corrupt or truncated data, and when the output would
 * pass `maxOutput` bytes (the message says so; `produced` tells how far it got). `onProgress` is called
 * every few MB of output so the caller can check cancellation.
 */
export function decodeLzmaAlone(
  data: Uint8Array,
  maxOutput: number,
  onProgress?: (produced: number) => void
): Uint8Array {
  const h = readLzmaHeader(data);
  if (h.size !== undefined && h.size > maxOutput) {
    throw new DecompressError(
      'LZMA_LIMIT',
      `the LZMA header declares ${h.size} bytes, more than the limit`,
      0
    );
  }
  const rc = new RangeDecoder(data, 13);
  let out = new Uint8Array(Math.min(h.size ?? 1 << 20, 1 << 24, maxOutput) || 16);
  let pos = 0;
  const lc = h.lc;
  const lpMask = (1 << h.lp) - 1;
  const pbMask = (1 << h.pb) - 1;
  const literals = new Uint16Array(0x300 << (lc + h.lp)).fill(PROB_INIT);
  const isMatch = new Uint16Array(NUM_STATES << POS_BITS_MAX).fill(PROB_INIT);
  const isRep = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  const isRepG0 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  const isRepG1 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  const isRepG2 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  const isRep0Long = new Uint16Array(NUM_STATES << POS_BITS_MAX).fill(PROB_INIT);
  const posSlot = new Uint16Array(4 << 6).fill(PROB_INIT);
  const posDecoders = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL_INDEX).fill(PROB_INIT);
  const align = new Uint16Array(1 << ALIGN_BITS).fill(PROB_INIT);
  const lenDecoder = new LenDecoder();
  const repLenDecoder = new LenDecoder();
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let remaining = h.size ?? Infinity;
  let nextReport = 1 << 22;

  const ensure = (extra: number) => {
    if (pos + extra > maxOutput) {
      throw new DecompressError('LZMA_LIMIT', `LZMA data decompresses to more than ${maxOutput} bytes`, pos);
    }
    if (pos + extra <= out.length) return;
    const grown = new Uint8Array(Math.min(maxOutput, Math.max(out.length * 2, pos + extra)));
    grown.set(out.subarray(0, pos));
    out = grown;
  };

  for (;;) {
    if (remaining === 0 && rc.finishedOk) break;
    if (pos >= nextReport) {
      onProgress?.(pos);
      nextReport = pos + (1 << 22);
    }
    const posState = pos & pbMask;
    if (rc.bit(isMatch, (state << POS_BITS_MAX) + posState) === 0) {
      if (remaining === 0)
        throw new DecompressError('LZMA_CORRUPT', 'LZMA data continues past its declared size');
      const prev = pos > 0 ? out[pos - 1] : 0;
      const base = 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        let matchByte = out[pos - rep0 - 1];
        do {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const bit = rc.bit(literals, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | bit;
          if (matchBit !== bit) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(literals, base + symbol);
      ensure(1);
      out[pos++] = symbol - 0x100;
      remaining--;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (rc.bit(isRep, state) !== 0) {
      if (remaining === 0 || pos === 0) throw new DecompressError('LZMA_CORRUPT', 'corrupt LZMA data');
      if (rc.bit(isRepG0, state) === 0) {
        if (rc.bit(isRep0Long, (state << POS_BITS_MAX) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          ensure(1);
          out[pos] = out[pos - rep0 - 1];
          pos++;
          remaining--;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(isRepG1, state) === 0) dist = rep1;
        else {
          if (rc.bit(isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = repLenDecoder.decode(rc, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = lenDecoder.decode(rc, posState);
      state = state < 7 ? 7 : 10;
      rep0 = decodeDistance(rc, len, posSlot, posDecoders, align);
      if (rep0 === 0xffffffff) {
        if (rc.finishedOk && (h.size === undefined || remaining === 0)) break;
        throw new DecompressError('LZMA_CORRUPT', 'corrupt LZMA end marker');
      }
      if (remaining === 0 || rep0 >= h.dictionarySize || rep0 >= pos) {
        throw new DecompressError('LZMA_CORRUPT', 'corrupt LZMA data: match distance out of range');
      }
    }
    len += MATCH_MIN_LEN;
    if (len > remaining)
      throw new DecompressError('LZMA_CORRUPT', 'LZMA data continues past its declared size');
    ensure(len);
    const from = pos - rep0 - 1;
    for (let i = 0; i < len; i++) out[pos + i] = out[from + i];
    pos += len;
    remaining -= len;
  }
  return out.subarray(0, pos);
}

function decodeDistance(
  rc: RangeDecoder,
  len: number,
  posSlot: Uint16Array,
  posDecoders: Uint16Array,
  align: Uint16Array
): number {
  const lenState = Math.min(len, 3);
  const slot = tree(rc, posSlot, lenState << 6, 6);
  if (slot < 4) return slot;
  const directBits = (slot >>> 1) - 1;
  let dist = ((2 | (slot & 1)) << directBits) >>> 0;
  if (slot < END_POS_MODEL_INDEX) {
    dist += reverseTree(rc, posDecoders, dist - slot, directBits);
  } else {
    dist = (dist + ((rc.direct(directBits - ALIGN_BITS) << ALIGN_BITS) >>> 0)) >>> 0;
    dist = (dist + reverseTree(rc, align, 0, ALIGN_BITS)) >>> 0;
  }
  return dist;
}
