/**
 * A bounded bzip2 decoder (what Python's bz2 module and joblib's 'bz2' compressor read): stream header,
 * Huffman-coded MTF/RLE2 symbols, inverse Burrows–Wheeler transform, the final RLE1 pass, block and stream
 * CRCs, and concatenated streams. Written here because the maintained npm decoders either need `new
 * Function` (the emscripten glue of @foxglove/wasm-bz2), Node's global Buffer (seek-bzip) or Node streams
 * (unbzip2-stream). The output limit is checked as bytes are produced, and the caller may stop between
 * blocks, so a bomb costs at most one block (≤ 900 kB) past the limit.
 */
import { DecompressError } from './errors';

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
const MAX_CODE_LEN = 20;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

class BitReader {
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  constructor(private readonly data: Uint8Array) {}

  bits(n: number): number {
    while (this.bitCount < n) {
      if (this.pos >= this.data.length)
        throw new DecompressError('BZIP2_CORRUPT', 'the data ends inside a bzip2 block');
      this.bitBuf = ((this.bitBuf << 8) | this.data[this.pos++]) >>> 0;
      this.bitCount += 8;
    }
    this.bitCount -= n;
    return (this.bitBuf >>> this.bitCount) & ((1 << n) - 1);
  }

  bit(): number {
    return this.bits(1);
  }

  alignToByte(): void {
    this.bitCount -= this.bitCount % 8;
  }

  /** At a byte boundary, do the next bytes read "BZh"? */
  startsWithStreamHeader(): boolean {
    const d = this.data;
    const p = this.pos - (this.bitCount >> 3);
    return p + 3 <= d.length && d[p] === 0x42 && d[p + 1] === 0x5a && d[p + 2] === 0x68;
  }

  get atEnd(): boolean {
    return this.pos >= this.data.length && this.bitCount < 8;
  }

  get consumed(): number {
    return this.pos;
  }
}

interface HuffmanTable {
  limit: Int32Array;
  base: Int32Array;
  perm: Int32Array;
  minLen: number;
}

function huffmanTable(lengths: Uint8Array, alphaSize: number): HuffmanTable {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    minLen = Math.min(minLen, lengths[i]);
    maxLen = Math.max(maxLen, lengths[i]);
  }
  const perm = new Int32Array(alphaSize);
  let pp = 0;
  for (let len = minLen; len <= maxLen; len++) {
    for (let s = 0; s < alphaSize; s++) if (lengths[s] === len) perm[pp++] = s;
  }
  const count = new Int32Array(MAX_CODE_LEN + 2);
  for (let i = 0; i < alphaSize; i++) count[lengths[i] + 1]++;
  for (let i = 1; i < count.length; i++) count[i] += count[i - 1];
  const limit = new Int32Array(MAX_CODE_LEN + 1).fill(-1);
  const base = new Int32Array(MAX_CODE_LEN + 2);
  let vec = 0;
  for (let len = minLen; len <= maxLen; len++) {
    vec += count[len + 1] - count[len];
    limit[len] = vec - 1;
    vec <<= 1;
  }
  for (let len = minLen + 1; len <= maxLen; len++) {
    base[len] = ((limit[len - 1] + 1) << 1) - count[len];
  }
  base[minLen] = 0;
  return { limit, base, perm, minLen };
}

function decodeSymbol(br: BitReader, t: HuffmanTable): number {
  let len = t.minLen;
  let code = br.bits(len);
  while (len <= MAX_CODE_LEN) {
    if (code <= t.limit[len]) {
      const index = code - (len === t.minLen ? 0 : t.base[len]);
      if (index < 0 || index >= t.perm.length) break;
      return t.perm[index];
    }
    code = (code << 1) | br.bit();
    len++;
  }
  throw new DecompressError('BZIP2_CORRUPT', 'invalid Huffman code in a bzip2 block');
}

export interface Bzip2Sink {
  /** Receives decompressed bytes; throws to stop decoding (limits). */
  write(bytes: Uint8Array): void;
}

/**
 * Decodes all concatenated bzip2 streams in `data` into `sink`, one block per step: the generator yields
 * after each block so the caller can check cancellation. Throws DecompressError for corrupt or truncated data.
 */
export function* decodeBzip2(data: Uint8Array, sink: Bzip2Sink): Generator<void, void, void> {
  const br = new BitReader(data);
  let streams = 0;
  while (!br.atEnd) {
    // Python's bz2 ignores bytes after a complete stream that do not start another one.
    if (streams > 0 && !br.startsWithStreamHeader()) return;
    if (br.bits(8) !== 0x42 || br.bits(8) !== 0x5a || br.bits(8) !== 0x68) {
      throw new DecompressError('BZIP2_CORRUPT', 'not a bzip2 stream');
    }
    const level = br.bits(8) - 0x30;
    if (level < 1 || level > 9) throw new DecompressError('BZIP2_CORRUPT', 'invalid bzip2 block size');
    const blockMax = level * 100_000;
    const tt = new Uint32Array(blockMax);
    let combined = 0;
    for (;;) {
      const hi = br.bits(24);
      const lo = br.bits(24);
      if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
        const stored = ((br.bits(16) << 16) | br.bits(16)) >>> 0;
        if (stored !== combined >>> 0)
          throw new DecompressError('BZIP2_CORRUPT', 'bzip2 stream CRC mismatch');
        br.alignToByte();
        break;
      }
      if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO)
        throw new DecompressError('BZIP2_CORRUPT', 'bad bzip2 block header');
      const blockCrc = ((br.bits(16) << 16) | br.bits(16)) >>> 0;
      const crc = decodeBlock(br, tt, blockMax, sink);
      if (crc !== blockCrc) throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block CRC mismatch');
      combined = (((combined << 1) | (combined >>> 31)) ^ crc) >>> 0;
      yield;
    }
    streams++;
  }
}

function decodeBlock(br: BitReader, tt: Uint32Array, blockMax: number, sink: Bzip2Sink): number {
  if (br.bit())
    throw new DecompressError(
      'BZIP2_CORRUPT',
      'randomised bzip2 blocks (bzip2 before 0.9.5) are not supported'
    );
  const origPtr = br.bits(24);
  // Symbol map: which byte values occur.
  const used16 = br.bits(16);
  const seqToUnseq = new Uint8Array(256);
  let inUse = 0;
  for (let i = 0; i < 16; i++) {
    if (used16 & (0x8000 >> i)) {
      const bits = br.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >> j)) seqToUnseq[inUse++] = i * 16 + j;
    }
  }
  if (inUse === 0) throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block uses no symbols');
  const alphaSize = inUse + 2;
  const nGroups = br.bits(3);
  if (nGroups < 2 || nGroups > MAX_GROUPS)
    throw new DecompressError('BZIP2_CORRUPT', 'invalid bzip2 Huffman group count');
  const nSelectors = br.bits(15);
  if (nSelectors < 1) throw new DecompressError('BZIP2_CORRUPT', 'invalid bzip2 selector count');
  const groupMtf = [0, 1, 2, 3, 4, 5].slice(0, nGroups);
  const selectors = new Uint8Array(nSelectors);
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (br.bit()) if (++j >= nGroups) throw new DecompressError('BZIP2_CORRUPT', 'invalid bzip2 selector');
    const v = groupMtf[j];
    groupMtf.splice(j, 1);
    groupMtf.unshift(v);
    selectors[i] = v;
  }
  const tables: HuffmanTable[] = [];
  const lengths = new Uint8Array(alphaSize);
  for (let g = 0; g < nGroups; g++) {
    let len = br.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (len < 1 || len > MAX_CODE_LEN)
          throw new DecompressError('BZIP2_CORRUPT', 'invalid bzip2 code length');
        if (!br.bit()) break;
        len += br.bit() ? -1 : 1;
      }
      lengths[s] = len;
    }
    tables.push(huffmanTable(lengths, alphaSize));
  }
  // Huffman → MTF/RLE2 → bytes of the BWT output, counted per byte value.
  const counts = new Int32Array(256);
  const mtf = new Uint8Array(256);
  for (let i = 0; i < 256; i++) mtf[i] = i;
  const eob = inUse + 1;
  let n = 0;
  let group = -1;
  let left = 0;
  let runLength = 0;
  let runWeight = 1;
  let table = tables[0];
  for (;;) {
    if (left === 0) {
      if (++group >= nSelectors)
        throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block runs past its selectors');
      table = tables[selectors[group]];
      left = GROUP_SIZE;
    }
    left--;
    const sym = decodeSymbol(br, table);
    if (sym <= 1) {
      runLength += (sym + 1) * runWeight;
      runWeight <<= 1;
      if (runLength > blockMax) throw new DecompressError('BZIP2_CORRUPT', 'bzip2 run longer than the block');
      continue;
    }
    if (runLength > 0) {
      if (n + runLength > blockMax)
        throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block longer than its declared size');
      const b = seqToUnseq[mtf[0]];
      counts[b] += runLength;
      tt.fill(b, n, n + runLength);
      n += runLength;
      runLength = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    if (n >= blockMax)
      throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block longer than its declared size');
    const index = sym - 1;
    const v = mtf[index];
    mtf.copyWithin(1, 0, index);
    mtf[0] = v;
    const b = seqToUnseq[v];
    counts[b]++;
    tt[n++] = b;
  }
  if (origPtr >= n) throw new DecompressError('BZIP2_CORRUPT', 'bzip2 block start pointer out of range');
  // Inverse BWT: link each position to the next.
  const starts = new Int32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    starts[i] = sum;
    sum += counts[i];
  }
  for (let i = 0; i < n; i++) {
    const b = tt[i] & 0xff;
    tt[starts[b]++] |= i << 8;
  }
  // Undo the initial RLE (4 equal bytes then a repeat count), computing the block CRC on the way.
  const out = new Uint8Array(Math.min(n * 2, n + 65536) + 256);
  const flushAt = out.length - 256;
  let o = 0;
  let crc = 0xffffffff;
  let pos = tt[origPtr] >>> 8;
  let last = -1;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const entry = tt[pos];
    const b = entry & 0xff;
    pos = entry >>> 8;
    if (same === 4) {
      for (let k = 0; k < b; k++) {
        out[o++] = last;
        crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ last) & 0xff]) >>> 0;
      }
      same = 0;
      last = -1;
    } else {
      if (b === last) same++;
      else {
        last = b;
        same = 1;
      }
      out[o++] = b;
      crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
    }
    if (o >= flushAt) {
      sink.write(out.slice(0, o));
      o = 0;
    }
  }
  if (o > 0) sink.write(out.slice(0, o));
  return ~crc >>> 0;
}
