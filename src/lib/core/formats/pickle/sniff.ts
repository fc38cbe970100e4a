import { OPCODES } from './opcodes';

/**
 * Other formats' magic numbers. This sniff only answers "does this look like plain pickle data?" for the zip
 * reader's heuristics (a member flagged encrypted but stored in the clear, which members to CRC-check); it
 * never decides whether bytes are analysed as a pickle: every file and member is (scan.ts).
 */
const FOREIGN_MAGIC: number[][] = [
  [0x50, 0x4b, 0x03, 0x04], // zip
  [0x50, 0x4b, 0x05, 0x06], // empty zip
  [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], // \x93NUMPY
  [0x1f, 0x8b], // gzip
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x04, 0x22, 0x4d, 0x18], // lz4 frame
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x5d, 0x00, 0x00] // lzma-alone
];
const ZLIB_SECOND = new Set([0x01, 0x5e, 0x9c, 0xda]);

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

const IDENT = /^[A-Za-z_][\w.]*$/;
const NAME = /^[A-Za-z_<][\w.<>]*$/;

/** Stack effect of opcodes without a MARK: [items needed, items left after]. */
const EFFECT: Record<string, [number, number]> = {
  STOP: [1, 0],
  DUP: [1, 2],
  BINPERSID: [1, 1],
  REDUCE: [2, 1],
  APPEND: [2, 1],
  BUILD: [2, 1],
  SETITEM: [3, 1],
  TUPLE1: [1, 1],
  TUPLE2: [2, 1],
  TUPLE3: [3, 1],
  NEWOBJ: [2, 1],
  NEWOBJ_EX: [3, 1],
  STACK_GLOBAL: [2, 1],
  PUT: [1, 1],
  BINPUT: [1, 1],
  LONG_BINPUT: [1, 1],
  MEMOIZE: [1, 1],
  READONLY_BUFFER: [1, 1],
  PROTO: [0, 0],
  FRAME: [0, 0]
};
const POP_MARK_PUSH = new Set(['DICT', 'LIST', 'TUPLE', 'FROZENSET', 'INST', 'OBJ']);
const POP_MARK_KEEP = new Set(['APPENDS', 'SETITEMS', 'ADDITEMS']);

/**
 * Walks the opcodes in the first bytes with a stack-depth model. Returns how many opcodes were valid and
 * whether the walk reached STOP, failed, or ran out of bytes.
 */
function walk(
  head: Uint8Array,
  complete: boolean
): { valid: number; end: 'stop' | 'invalid' | 'more'; imports: number } {
  let imports = 0;
  let pos = 0;
  let depth = 0;
  const marks: number[] = [];
  let memo = 0;
  let valid = 0;
  const lineAt = (at: number): [string, number] | null => {
    const nl = head.indexOf(0x0a, at);
    if (nl < 0) return null;
    return [new TextDecoder('latin1').decode(head.subarray(at, nl)), nl + 1];
  };
  while (pos < head.length && valid < 4096) {
    const op = OPCODES[head[pos]];
    if (!op) return { valid, imports, end: 'invalid' };
    let next = pos + 1;
    const fence = marks.length ? marks[marks.length - 1] : 0;
    switch (op.arg) {
      case 'none':
        break;
      case 'u1':
      case 'u2':
      case 'u4':
      case 'i4':
      case 'f8be':
      case 'u8':
        next += { u1: 1, u2: 2, u4: 4, i4: 4, f8be: 8, u8: 8 }[op.arg];
        break;
      case 'len1':
        if (next >= head.length) return { valid, imports, end: complete ? 'invalid' : 'more' };
        next += 1 + head[next];
        break;
      case 'len4':
      case 'slen4':
      case 'len8': {
        if (next + 4 > head.length) return { valid, imports, end: complete ? 'invalid' : 'more' };
        const n = head[next] | (head[next + 1] << 8) | (head[next + 2] << 16) | (head[next + 3] << 24);
        if (n < 0) return { valid, imports, end: 'invalid' };
        next += (op.arg === 'len8' ? 8 : 4) + n;
        break;
      }
      case 'line':
      case 'line2': {
        const first = lineAt(next);
        if (!first) return { valid, imports, end: complete ? 'invalid' : 'more' };
        if (op.arg === 'line2') {
          const second = lineAt(first[1]);
          if (!second) return { valid, imports, end: complete ? 'invalid' : 'more' };
          if (!IDENT.test(first[0]) || !NAME.test(second[0])) return { valid, imports, end: 'invalid' };
          imports++;
          next = second[1];
        } else {
          const text = first[0];
          if (op.name === 'INT' || op.name === 'LONG' || op.name === 'GET' || op.name === 'PUT') {
            if (!/^\s*[+-]?\w+L?\s*$/.test(text)) return { valid, imports, end: 'invalid' };
          } else if (op.name === 'STRING' && !/^(['"]).*\1$/.test(text))
            return { valid, imports, end: 'invalid' };
          else if (op.name === 'FLOAT' && Number.isNaN(Number(text)) && !/^[+-]?(inf|nan)/i.test(text)) {
            return { valid, imports, end: 'invalid' };
          }
          next = first[1];
        }
        break;
      }
    }
    if (next > head.length) return { valid, imports, end: complete ? 'invalid' : 'more' };
    const name = op.name;
    if (name === 'MARK') marks.push(depth);
    else if (name === 'POP') {
      if (marks.length && marks[marks.length - 1] === depth) marks.pop();
      else if (depth <= fence) return { valid, imports, end: 'invalid' };
      else depth--;
    } else if (name === 'POP_MARK' || POP_MARK_PUSH.has(name) || POP_MARK_KEEP.has(name)) {
      if (!marks.length) return { valid, imports, end: 'invalid' };
      if (name === 'OBJ' && depth === marks[marks.length - 1]) return { valid, imports, end: 'invalid' };
      depth = marks.pop()!;
      if (POP_MARK_PUSH.has(name)) depth++;
      else if (POP_MARK_KEEP.has(name) && depth <= (marks.length ? marks[marks.length - 1] : 0)) {
        return { valid, imports, end: 'invalid' };
      }
    } else if (name === 'GET' || name === 'BINGET' || name === 'LONG_BINGET') {
      if (memo === 0) return { valid, imports, end: 'invalid' };
      depth++;
    } else if (name === 'PROTO' && head[pos + 1] > 5) return { valid, imports, end: 'invalid' };
    else if (name === 'NEXT_BUFFER') return { valid, imports, end: 'invalid' };
    else if (EFFECT[name]) {
      const [need, left] = EFFECT[name];
      if (depth - fence < need) return { valid, imports, end: 'invalid' };
      depth += left - need;
      if (name === 'PUT' || name === 'BINPUT' || name === 'LONG_BINPUT' || name === 'MEMOIZE') memo++;
      if (name === 'STOP') return { valid: valid + 1, imports, end: 'stop' };
    } else depth++;
    valid++;
    pos = next;
  }
  return { valid, imports, end: complete && pos >= head.length ? 'invalid' : 'more' };
}

function foreign(head: Uint8Array): boolean {
  if (FOREIGN_MAGIC.some((m) => startsWith(head, m))) return true;
  return head.length >= 2 && head[0] === 0x78 && ZLIB_SECOND.has(head[1]);
}

/**
 * Would pickle.load accept these first bytes? 'yes' for a PROTO 2–5 header or a stream whose first opcodes
 * are valid up to STOP (or for many opcodes); 'maybe' for a plausible start; 'no' otherwise.
 * `complete` says the bytes are the whole file (so running out of them is a truncation, not "more").
 */
export function looksLikePickle(head: Uint8Array, complete = false): 'yes' | 'maybe' | 'no' {
  if (head.length === 0 || foreign(head)) return 'no';
  if (head[0] === 0x80 && head.length >= 2 && head[1] >= 2 && head[1] <= 5) return 'yes';
  const { valid, end, imports } = walk(head, complete);
  if (end === 'stop') return 'yes';
  // GLOBAL/INST with identifier names right after valid opcodes is how protocol 0–2 pickles of objects look;
  // the loader imports it even if the stream breaks later.
  if (imports > 0) return 'yes';
  if (end === 'more') return valid >= 8 ? 'yes' : valid >= 1 ? 'maybe' : 'no';
  return valid >= 3 ? 'maybe' : 'no';
}
