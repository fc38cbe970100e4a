/*
 * A bounded reader for the attributes of an HDF5 file's root group: superblock v0–v3, object headers v1/v2
 * with continuation blocks, attribute messages v1–v3, fixed-length and variable-length strings (global heap).
 *
 * Why not h5wasm or jsfive: jsfive needs the whole file as one ArrayBuffer, and h5wasm (a ~3 MB WASM build of
 * libhdf5) needs the file mounted in its virtual file system; both are far more than reading `model_config`
 * needs. Keras keeps that JSON in a root attribute, so this reader touches only the superblock, the root object
 * header and one heap object — a few KB of any file, multi-GB ones included.
 */
import type { ByteSource } from '../../bytes/byte-source';

export class Hdf5Error extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(`${message} (at offset ${offset})`);
    this.name = 'Hdf5Error';
  }
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_HEADER_BLOCKS = 64;
const MAX_MESSAGES = 4096;
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_HEAP_OBJECTS = 100_000;

export function hasHdf5Signature(bytes: Uint8Array, at = 0): boolean {
  return SIGNATURE.every((b, i) => bytes[at + i] === b);
}

export interface Hdf5Attribute {
  name: string;
  /** The string value (first element), when the attribute is a string. */
  value?: string;
  /** Why the value was not read (not a string, shared datatype, too long …). */
  skipped?: string;
  offset: number;
}

export interface RootAttributes {
  superblockVersion: number;
  /** Absolute end-of-file address the superblock declares (undefined when it says "undefined address"). */
  declaredEnd?: number;
  attributes: Hdf5Attribute[];
  /** Attributes kept in dense storage (fractal heap), which this reader does not follow. */
  denseStorage: boolean;
}

export interface HeaderMessage {
  type: number;
  data: Uint8Array;
  /** Absolute offset of the message body. */
  at: number;
  flags: number;
}

interface Geometry {
  base: number;
  offsetSize: number;
  lengthSize: number;
}

function uint(bytes: Uint8Array, at: number, size: number, where: number): number {
  if (at + size > bytes.length) throw new Hdf5Error('structure cut short', where + at);
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  return value;
}

const isUndefinedAddress = (bytes: Uint8Array, at: number, size: number) =>
  bytes.subarray(at, at + size).every((b) => b === 0xff);

export class Hdf5RootReader {
  private geo: Geometry = { base: 0, offsetSize: 8, lengthSize: 8 };
  private root = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly maxValueBytes: number
  ) {}

  private async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.src.size) {
      throw new Hdf5Error(`${what} lies outside the file`, Number.isSafeInteger(offset) ? offset : -1);
    }
    const bytes = await this.src.read(offset, length);
    if (bytes.length < length) throw new Hdf5Error(`${what} is cut short`, offset);
    return bytes;
  }

  /** Up to `max` bytes at `offset` (fewer near the end of the file). */
  private readUpTo(offset: number, max: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.src.size) {
      throw new Hdf5Error(`${what} lies outside the file`, Number.isSafeInteger(offset) ? offset : -1);
    }
    return this.read(offset, Math.min(max, this.src.size - offset), what);
  }

  private async findSuperblock(): Promise<number> {
    for (let at = 0; at < Math.min(this.src.size, 64 * 1024 * 1024); at = at === 0 ? 512 : at * 2) {
      if (hasHdf5Signature(await this.src.read(at, 8))) return at;
    }
    throw new Hdf5Error('no HDF5 superblock found', 0);
  }

  async rootAttributes(): Promise<RootAttributes> {
    const at = await this.findSuperblock();
    const sb = await this.readUpTo(at, 256, 'superblock');
    const version = sb[8];
    let rootAddr: number;
    let eofAt: number;
    if (version === 0 || version === 1) {
      this.geo = { base: 0, offsetSize: sb[13], lengthSize: sb[14] };
      this.checkSizes(at);
      const o = this.geo.offsetSize;
      const p = version === 1 ? 28 : 24;
      this.geo.base = uint(sb, p, o, at);
      eofAt = p + 2 * o;
      rootAddr = uint(sb, p + 4 * o + o, o, at);
    } else if (version === 2 || version === 3) {
      this.geo = { base: 0, offsetSize: sb[9], lengthSize: sb[10] };
      this.checkSizes(at);
      const o = this.geo.offsetSize;
      this.geo.base = uint(sb, 12, o, at);
      eofAt = 12 + 2 * o;
      rootAddr = uint(sb, 12 + 3 * o, o, at);
    } else {
      throw new Hdf5Error(`unsupported superblock version ${version}`, at + 8);
    }
    const o = this.geo.offsetSize;
    const declaredEnd = isUndefinedAddress(sb, eofAt, o) ? undefined : this.geo.base + uint(sb, eofAt, o, at);
    const result: RootAttributes = {
      superblockVersion: version,
      declaredEnd,
      attributes: [],
      denseStorage: false
    };
    this.root = this.geo.base + rootAddr;
    await this.objectHeader(this.root, result);
    return result;
  }

  private checkSizes(at: number): void {
    const ok = (n: number) => n === 2 || n === 4 || n === 8;
    if (!ok(this.geo.offsetSize) || !ok(this.geo.lengthSize)) {
      throw new Hdf5Error(
        `invalid offset/length sizes ${this.geo.offsetSize}/${this.geo.lengthSize}`,
        at + 9
      );
    }
  }

  private async objectHeader(addr: number, out: RootAttributes): Promise<void> {
    for (const m of await this.messages(addr)) {
      if (m.type === 0x15) out.denseStorage = out.denseStorage || this.hasDenseHeap(m.data);
      else if (m.type === 0x0c)
        out.attributes.push(await this.attribute(m.data, m.at, (m.flags & 0x02) !== 0));
    }
  }

  /** Every header message of the object at `addr` (continuation blocks followed, bounded). */
  async messages(addr: number): Promise<HeaderMessage[]> {
    const head = await this.readUpTo(addr, 64, 'object header');
    const v2 = head[0] === 0x4f && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x52; // OHDR
    const blocks: { start: number; length: number; first: boolean }[] = [];
    if (v2) {
      const flags = head[5];
      let p = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
      const width = 1 << (flags & 3);
      const size = uint(head, p, width, addr);
      p += width;
      blocks.push({ start: addr + p, length: size, first: true });
    } else if (head[0] === 1) {
      blocks.push({ start: addr + 16, length: uint(head, 8, 4, addr), first: true });
    } else {
      throw new Hdf5Error(`unsupported object header version ${head[0]}`, addr);
    }
    const out: HeaderMessage[] = [];
    for (let i = 0; i < blocks.length; i++) {
      if (i >= MAX_HEADER_BLOCKS)
        throw new Hdf5Error(`more than ${MAX_HEADER_BLOCKS} header continuation blocks`, addr);
      const block = blocks[i];
      if (block.length > MAX_BLOCK_BYTES)
        throw new Hdf5Error(`object header block of ${block.length} bytes`, block.start);
      const bytes = await this.read(block.start, block.length, 'object header block');
      let p = 0;
      if (v2 && !block.first) {
        if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'OCHK')
          throw new Hdf5Error('bad continuation block signature', block.start);
        p = 4;
      }
      // Chunk #0's size excludes its checksum; a continuation block's length includes OCHK and the checksum.
      const end = v2 && !block.first ? bytes.length - 4 : bytes.length;
      const headerSize = v2 ? 4 : 8;
      while (p + headerSize <= end) {
        if (out.length >= MAX_MESSAGES)
          throw new Hdf5Error(`more than ${MAX_MESSAGES} header messages`, block.start + p);
        let type: number;
        let size: number;
        let flags: number;
        if (v2) {
          type = bytes[p];
          size = uint(bytes, p + 1, 2, block.start);
          flags = bytes[p + 3];
          p += 4 + ((head[5] & 0x04) !== 0 ? 2 : 0);
        } else {
          type = uint(bytes, p, 2, block.start);
          size = uint(bytes, p + 2, 2, block.start);
          flags = bytes[p + 4];
          p += 8;
        }
        if (p + size > end)
          throw new Hdf5Error(`header message of ${size} bytes overruns its block`, block.start + p);
        const data = bytes.subarray(p, p + size);
        const at = block.start + p;
        p += v2 ? size : (size + 7) & ~7;
        if (type === 0x10) {
          const o = this.geo.offsetSize;
          blocks.push({
            start: this.geo.base + uint(data, 0, o, at),
            length: uint(data, o, this.geo.lengthSize, at),
            first: false
          });
        } else out.push({ type, data, at, flags });
      }
    }
    return out;
  }

  /** The superblock's geometry and the root group's object header address (after rootAttributes). */
  get geometry(): { base: number; offsetSize: number; lengthSize: number } {
    return this.geo;
  }

  get rootAddress(): number {
    return this.root;
  }

  /** Reads `length` bytes at absolute `offset`, checked against the file. */
  bytesAt(offset: number, length: number, what: string): Promise<Uint8Array> {
    return this.read(offset, length, what);
  }

  private hasDenseHeap(data: Uint8Array): boolean {
    const o = this.geo.offsetSize;
    const p = 2 + (data[1] & 1 ? 2 : 0);
    return p + o <= data.length && !isUndefinedAddress(data, p, o);
  }

  private async attribute(data: Uint8Array, at: number, sharedMessage: boolean): Promise<Hdf5Attribute> {
    const version = data[0];
    if (version < 1 || version > 3)
      throw new Hdf5Error(`unsupported attribute message version ${version}`, at);
    const nameSize = uint(data, 2, 2, at);
    const dtSize = uint(data, 4, 2, at);
    const dsSize = uint(data, 6, 2, at);
    const pad = (n: number) => (version === 1 ? (n + 7) & ~7 : n);
    let p = version === 3 ? 9 : 8;
    const nameEnd = p + nameSize;
    if (nameEnd > data.length) throw new Hdf5Error('attribute name overruns its message', at);
    const name = new TextDecoder().decode(data.subarray(p, nameEnd)).replace(/\0+$/, '');
    p += pad(nameSize);
    const dt = data.subarray(p, p + dtSize);
    p += pad(dtSize);
    const ds = data.subarray(p, p + dsSize);
    p += pad(dsSize);
    if (p > data.length) throw new Hdf5Error(`attribute "${name}" overruns its message`, at);
    const attr: Hdf5Attribute = { name, offset: at };
    if (sharedMessage || (version >= 2 && (data[1] & 0x03) !== 0)) {
      attr.skipped = 'shared datatype or dataspace';
      return attr;
    }
    const elements = this.elementCount(ds, at);
    if (elements === 0) return attr;
    const cls = dt[0] & 0x0f;
    const size = uint(dt, 4, 4, at);
    const payload = data.subarray(p);
    if (cls === 3) {
      if (size > payload.length)
        throw new Hdf5Error(`attribute "${name}" value overruns its message`, at + p);
      attr.value = new TextDecoder().decode(payload.subarray(0, size)).replace(/\0+$/, '');
    } else if (cls === 9 && (dt[1] & 0x0f) === 1) {
      const o = this.geo.offsetSize;
      const length = uint(payload, 0, 4, at + p);
      const collection = uint(payload, 4, o, at + p);
      const index = uint(payload, 4 + o, 4, at + p);
      if (length > this.maxValueBytes)
        attr.skipped = `value of ${length} bytes is larger than the ${this.maxValueBytes} read`;
      else
        attr.value = new TextDecoder().decode(
          await this.heapObject(this.geo.base + collection, index, length)
        );
    } else {
      attr.skipped = `datatype class ${cls} is not a string`;
    }
    return attr;
  }

  elementCount(ds: Uint8Array, at: number): number {
    const version = ds[0];
    const rank = ds[1];
    let p: number;
    if (version === 1) p = 8;
    else if (version === 2) {
      if (ds[3] === 0) return 1;
      if (ds[3] === 2) return 0;
      p = 4;
    } else throw new Hdf5Error(`unsupported dataspace version ${version}`, at);
    let count = 1;
    for (let i = 0; i < rank; i++) count *= uint(ds, p + i * this.geo.lengthSize, this.geo.lengthSize, at);
    return count;
  }

  /** Object `index` of the global heap collection at `addr`, checked to be `length` bytes. */
  private async heapObject(addr: number, index: number, length: number): Promise<Uint8Array> {
    const l = this.geo.lengthSize;
    const head = await this.read(addr, 8 + l, 'global heap collection');
    if (String.fromCharCode(...head.subarray(0, 4)) !== 'GCOL')
      throw new Hdf5Error('bad global heap signature', addr);
    const end = addr + uint(head, 8, l, addr);
    if (end > this.src.size)
      throw new Hdf5Error('global heap collection runs past the end of the file', addr);
    let p = addr + 8 + l;
    for (let n = 0; n < MAX_HEAP_OBJECTS && p + 8 + l <= end; n++) {
      const obj = await this.read(p, 8 + l, 'global heap object');
      const id = uint(obj, 0, 2, p);
      const size = uint(obj, 8, l, p);
      if (id === 0) break; // free space: the rest of the collection
      if (id === index) {
        if (size < length || p + 8 + l + length > end)
          throw new Hdf5Error('heap object shorter than its reference', p);
        return this.read(p + 8 + l, length, 'global heap object');
      }
      p += 8 + l + ((size + 7) & ~7);
    }
    throw new Hdf5Error(`global heap object ${index} not found`, addr);
  }
}

export { uint as hdf5Uint };
