/**
 * Byte-exact writers for the containers a pickle travels in, for tests: zip (any member name, stored or
 * deflated), tar, xz and LZ4 frames with uncompressed blocks, .npy, joblib array wrappers and legacy PyTorch.
 * Nothing here compresses cleverly: the point is full control over every byte a scanner sees.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../../../src/lib/core/formats/zip/crc32';
import { PickleBuilder } from '../pickle-builder';
import { concat } from './streams';

const enc = new TextEncoder();

function le(bytes: number, value: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

/** A zip with the given members in order; `deflate` compresses them (method 8). */
export function zip(members: { name: string; data: Uint8Array }[], deflate = false): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = enc.encode(m.name);
    const body = deflate ? deflateSync(m.data) : m.data;
    const crc = crc32(m.data);
    const common = [
      ...le(2, 20), // version needed
      ...le(2, 0x800), // flags: UTF-8 names
      ...le(2, deflate ? 8 : 0),
      ...le(4, 0), // time, date
      ...le(4, crc),
      ...le(4, body.length),
      ...le(4, m.data.length),
      ...le(2, name.length),
      ...le(2, 0) // extra
    ];
    const local = concat(Uint8Array.of(0x50, 0x4b, 3, 4, ...common), name, body);
    centrals.push(
      concat(
        Uint8Array.of(
          0x50,
          0x4b,
          1,
          2,
          ...le(2, 20),
          ...common,
          ...le(2, 0),
          ...le(4, 0),
          ...le(4, 0),
          ...le(4, offset)
        ),
        name
      )
    );
    locals.push(local);
    offset += local.length;
  }
  const dir = concat(...centrals);
  const end = Uint8Array.of(
    0x50,
    0x4b,
    5,
    6,
    0,
    0,
    0,
    0,
    ...le(2, members.length),
    ...le(2, members.length),
    ...le(4, dir.length),
    ...le(4, offset),
    0,
    0
  );
  return concat(...locals, dir, end);
}

export function tarHeader(name: string | Uint8Array, size: number, type = '0', linkName = ''): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, at: number) => block.set(enc.encode(text), at);
  block.set(typeof name === 'string' ? enc.encode(name) : name, 0);
  put('0000644\0', 100);
  put(size.toString(8).padStart(11, '0') + '\0', 124);
  put('00000000000\0', 136);
  put('        ', 148);
  put(type, 156);
  put(linkName, 157);
  put('ustar\u000000', 257);
  const sum = block.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return block;
}

export interface TarMember {
  name: string | Uint8Array;
  data?: Uint8Array;
  type?: string;
  link?: string;
}

export function tar(members: TarMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    const data = m.data ?? new Uint8Array(0);
    parts.push(
      tarHeader(m.name, data.length, m.type, m.link),
      data,
      new Uint8Array((512 - (data.length % 512)) % 512)
    );
  }
  return concat(...parts, new Uint8Array(1024));
}

/** An LZ4 frame (what joblib's lz4 compressor writes) whose blocks are stored uncompressed. */
export function lz4Frame(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += 64 * 1024) {
    const block = data.subarray(at, at + 64 * 1024);
    blocks.push(Uint8Array.of(...le(4, (block.length | 0x80000000) >>> 0)), block);
  }
  // FLG: version 1, independent blocks; BD: 64 KiB blocks; the header checksum byte is not verified.
  return concat(
    Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82),
    ...blocks,
    Uint8Array.of(0, 0, 0, 0)
  );
}

function crcBytes(bytes: Uint8Array): number[] {
  return le(4, crc32(bytes));
}

/** An .xz stream with one LZMA2 block of uncompressed chunks and no integrity check. */
export function xz(data: Uint8Array): Uint8Array {
  const flags = Uint8Array.of(0, 0); // check: none
  const header = concat(
    Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0),
    flags,
    Uint8Array.of(...crcBytes(flags))
  );
  // Block header: size 12 bytes ((2+1)*4), flags (1 filter), LZMA2 filter id 0x21, 1 property byte (dict 8 MiB).
  const blockHeaderBody = Uint8Array.of(0x02, 0x00, 0x21, 0x01, 0x16, 0, 0, 0);
  const blockHeader = concat(blockHeaderBody, Uint8Array.of(...crcBytes(blockHeaderBody)));
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += 64 * 1024) {
    const chunk = data.subarray(at, at + 64 * 1024);
    chunks.push(
      Uint8Array.of(at === 0 ? 0x01 : 0x02, (chunk.length - 1) >> 8, (chunk.length - 1) & 0xff),
      chunk
    );
  }
  const compressed = concat(...chunks, Uint8Array.of(0));
  const unpadded = blockHeader.length + compressed.length;
  const blockPadding = new Uint8Array((4 - (unpadded % 4)) % 4);
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    return out;
  };
  const indexBody = Uint8Array.of(0, 1, ...varint(unpadded), ...varint(data.length));
  const indexPadded = concat(indexBody, new Uint8Array((4 - (indexBody.length % 4)) % 4));
  const index = concat(indexPadded, Uint8Array.of(...crcBytes(indexPadded)));
  const footerBody = Uint8Array.of(...le(4, index.length / 4 - 1), ...flags);
  const footer = concat(Uint8Array.of(...crcBytes(footerBody)), footerBody, Uint8Array.of(0x59, 0x5a));
  return concat(header, blockHeader, compressed, blockPadding, index, footer);
}

/** A version 1.0 .npy header for an object array (numpy.load(allow_pickle=True) unpickles what follows). */
export function npyObjectHeader(): Uint8Array {
  const literal = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
  const total = Math.ceil((10 + literal.length + 1) / 64) * 64;
  const dict = literal.padEnd(total - 10 - 1, ' ') + '\n';
  return concat(Uint8Array.of(0x93, ...enc.encode('NUMPY'), 1, 0, ...le(2, dict.length)), enc.encode(dict));
}

/**
 * A protocol-2 joblib stream holding one NumpyArrayWrapper, laid out as joblib's NumpyPickler writes it: the
 * wrapper's BUILD, then the array data (`data`), then the rest of the outer pickle. `state` gives the dtype
 * the pickled state numpy.dtype.__setstate__ reads (its flags decide `hasobject`).
 */
export function joblibArray(opts: {
  dtype: string;
  data: Uint8Array;
  length: number;
  flags?: number;
  state?: boolean;
}): Uint8Array {
  const b = new PickleBuilder().proto(2).global('joblib.numpy_pickle', 'NumpyArrayWrapper');
  const text = (s: string) => b.raw('X', ...b.u32(s.length), s);
  b.op('EMPTY_TUPLE').op('NEWOBJ').op('EMPTY_DICT').op('MARK');
  text('subclass').global('numpy', 'ndarray');
  text('shape').binint1(opts.length).op('TUPLE1');
  text('order');
  text('C');
  text('dtype').global('numpy', 'dtype');
  text(opts.dtype).raw(0x89, 0x88, 0x87).op('REDUCE');
  if (opts.state !== false) {
    b.op('MARK').binint1(3);
    text('|').op('NONE').op('NONE').op('NONE');
    b.raw('J', 0xff, 0xff, 0xff, 0xff, 'J', 0xff, 0xff, 0xff, 0xff).binint1(opts.flags ?? 0);
    b.raw('t').op('BUILD');
  }
  text('allow_mmap').raw(0x89);
  b.raw('u').op('BUILD');
  return concat(b.bytes(), opts.data, Uint8Array.of(0x2e));
}

/** torch < 1.6 `_legacy_save`: magic number, protocol, sys_info, the payload pickle, storage keys, storages. */
export function legacyTorch(payload: Uint8Array): Uint8Array {
  const magic = Uint8Array.of(
    0x80,
    2,
    0x8a,
    0x0a,
    0x6c,
    0xfc,
    0x9c,
    0x46,
    0xf9,
    0x20,
    0x6a,
    0xa8,
    0x50,
    0x19,
    0x2e
  );
  const protocol = Uint8Array.of(0x80, 2, 0x4d, ...le(2, 1001), 0x2e);
  const sysInfo = Uint8Array.of(0x80, 2, 0x7d, 0x2e);
  const keys = Uint8Array.of(0x80, 2, 0x5d, 0x2e);
  return concat(magic, protocol, sysInfo, payload, keys, new Uint8Array(64));
}
