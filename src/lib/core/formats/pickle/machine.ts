import type { ByteSource } from '../../bytes/byte-source';
import { throwIfAborted } from '../../cancel';
import type { DisassemblyLine } from '../../findings';
import type { ScanLimits } from '../../limits';
import { fixImports } from './compat';
import { joblibArraySpan } from '../joblib/array-layout';
import { WindowCursor } from './cursor';
import {
  joblibArrayAfterBuild,
  noteDtypeBuild,
  rememberDtypeState,
  rememberEntry,
  type JoblibArray
} from './joblib-array';
import { HIGHEST_PROTOCOL, OPCODES, opcodeName } from './opcodes';
import { classifyImport } from './policy';
import {
  decodeLong,
  DecodeError,
  latin1,
  pythonFloatValid,
  pythonInt,
  pythonStringLiteral,
  rawUnicodeEscape,
  strictAscii,
  utf8,
  utf8Lax
} from './text';
import {
  BIG_INT,
  BIG_STR,
  Box,
  BUFFER,
  BYTES,
  FLOAT,
  ImportRecord,
  isLiteral,
  Made,
  mergeRefs,
  PERSISTENT,
  Ref,
  refsOf,
  type Literal,
  type Val
} from './values';

export type StopKind = 'malformed' | 'truncated' | 'limit';

/** Why the unpickler (and so the analysis) stopped before a STOP opcode. */
export class PickleStop extends Error {
  constructor(
    readonly kind: StopKind,
    message: string,
    readonly offset: number
  ) {
    super(message);
  }
}

export interface FrameIssue {
  offset: number;
  reason: string;
}

const RING = 16;
const WINDOW_BEFORE = 8;
const WINDOW_AFTER = 3;

/**
 * A symbolic pickle machine: it follows CPython's Unpickler opcode by opcode, with a stack and memo of
 * symbolic values, but never imports or calls anything. It records every import (resolved as find_class
 * would) and every way an imported object gets called.
 */
export class PickleMachine {
  readonly cur: WindowCursor;
  readonly records = new Map<string, ImportRecord>();
  readonly importSites: { module: string; name: string; offset: number; opcode: string }[] = [];
  readonly frameIssues: FrameIssue[] = [];
  private frameOverrun: FrameIssue | undefined;
  readonly moduleTampering: { offset: number; rec: ImportRecord }[] = [];
  persistentIds = 0;
  /** Raw NumPy arrays joblib interleaves with the opcodes, stepped over unread. */
  joblibArrays = 0;
  private nestedDepth = 0;
  dynamicCalls = 0;
  opcodes = 0;
  pickles = 0;
  /** Offset just after the last STOP. */
  end: number;

  private stack: Val[] = [];
  private marks: number[] = [];
  private fence = 0;
  private memo = new Map<number, Val>();
  private proto = 0;
  private frameEnd = Infinity;
  private ringOffset: number[] = new Array(RING).fill(0);
  private ringCode: number[] = new Array(RING).fill(0);
  private ringArg: unknown[] = new Array(RING).fill(undefined);
  private openWindows: { lines: DisassemblyLine[]; at: number }[] = [];
  private opStart = 0;

  constructor(
    src: ByteSource,
    start: number,
    private readonly limits: ScanLimits,
    private readonly signal?: AbortSignal
  ) {
    this.cur = new WindowCursor(src, start);
    this.end = start;
  }

  /**
   * Runs one pickle from the cursor to its STOP and returns the value STOP popped (as a literal when it is
   * one). Throws PickleStop when the loader would fail.
   */
  async runOne(): Promise<Literal | undefined> {
    this.stack = [];
    this.marks = [];
    this.fence = 0;
    this.memo = new Map();
    this.proto = 0;
    this.frameEnd = Infinity;
    const cur = this.cur;
    const limits = this.limits;
    const stack = this.stack;
    for (;;) {
      if (cur.end - cur.pos < 16 && cur.end < cur.size) {
        throwIfAborted(this.signal);
        await cur.fill(16);
      }
      const p = cur.pos;
      this.opStart = p;
      if (p >= cur.size) throw new PickleStop('truncated', 'the data ends before a STOP opcode', p);
      if (p >= this.frameEnd) this.leaveFrame(p);
      const code = cur.buf[p - cur.base];
      cur.pos = p + 1;
      if (++this.opcodes > limits.maxPickleOpcodes) {
        throw new PickleStop('limit', `more than ${limits.maxPickleOpcodes} opcodes`, p);
      }
      const r = (this.opcodes - 1) % RING;
      this.ringOffset[r] = p;
      this.ringCode[r] = code;
      this.ringArg[r] = undefined;
      if (this.openWindows.length > 0) this.extendWindows();
      switch (code) {
        case 0x28: // MARK
          if (this.marks.length >= limits.maxPickleStack) {
            throw new PickleStop('limit', `more than ${limits.maxPickleStack} nested MARKs`, p);
          }
          this.marks.push(stack.length);
          this.fence = stack.length;
          break;
        case 0x2e: {
          // STOP
          const value = this.pop();
          if (this.frameEnd !== Infinity && this.frameEnd > cur.pos) {
            this.frameIssues.push({
              offset: p,
              reason: `the frame continues ${this.frameEnd - cur.pos} bytes past STOP (the C and Python unpicklers resume at different offsets)`
            });
          }
          if (this.frameOverrun) this.frameIssues.push(this.frameOverrun);
          this.frameOverrun = undefined;
          this.pickles++;
          this.end = cur.pos;
          return literalOf(value);
        }
        case 0x30: // POP
          if (this.marks.length > 0 && this.marks[this.marks.length - 1] === stack.length) this.popMark();
          else this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          stack.push(this.top());
          break;
        case 0x46: {
          // FLOAT
          const line = await this.line();
          const text = line === null ? '0' : latin1(line);
          if (!pythonFloatValid(text))
            this.malformed(`could not convert string to float: ${text.slice(0, 40)}`);
          this.arg(text);
          stack.push(FLOAT);
          break;
        }
        case 0x49: {
          // INT
          const line = await this.line();
          if (line === null) {
            stack.push(BIG_INT);
            break;
          }
          const text = latin1(line);
          this.arg(text);
          if (text === '00') stack.push(false);
          else if (text === '01') stack.push(true);
          else stack.push(this.parseInt(text));
          break;
        }
        case 0x4a: {
          // BININT
          this.need(4);
          const i = cur.pos - cur.base;
          const b = cur.buf;
          const v = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
          cur.pos += 4;
          this.arg(v);
          stack.push(v);
          break;
        }
        case 0x4b: {
          // BININT1
          this.need(1);
          const v = cur.buf[cur.pos - cur.base];
          cur.pos += 1;
          this.arg(v);
          stack.push(v);
          break;
        }
        case 0x4c: {
          // LONG
          const line = await this.line();
          if (line === null) {
            stack.push(BIG_INT);
            break;
          }
          let text = latin1(line);
          if (text.endsWith('L')) text = text.slice(0, -1);
          this.arg(text);
          stack.push(this.parseInt(text));
          break;
        }
        case 0x4d: {
          // BININT2
          this.need(2);
          const i = cur.pos - cur.base;
          const v = cur.buf[i] | (cur.buf[i + 1] << 8);
          cur.pos += 2;
          this.arg(v);
          stack.push(v);
          break;
        }
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x50: {
          // PERSID
          const line = await this.line();
          if (line !== null) this.arg(this.decode(strictAscii, line));
          this.persistentIds++;
          stack.push(PERSISTENT);
          break;
        }
        case 0x51: // BINPERSID
          this.pop();
          this.persistentIds++;
          stack.push(PERSISTENT);
          break;
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const func = this.top();
          stack[stack.length - 1] = this.call(func, refsOf(args), 'REDUCE', p, literalOf(args));
          break;
        }
        case 0x53: {
          // STRING
          const line = await this.line();
          const s = line === null ? BIG_STR : this.decode(pythonStringLiteral, line);
          if (line !== null) this.arg(s);
          stack.push(s);
          break;
        }
        case 0x54: {
          // BINSTRING
          const n = this.i32();
          if (n < 0) this.malformed('BINSTRING pickle has negative byte count');
          stack.push(await this.operand(n, latin1, BIG_STR));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          stack.push(await this.operand(this.u8(), latin1, BIG_STR));
          break;
        case 0x56: {
          // UNICODE
          const line = await this.line();
          const s = line === null ? BIG_STR : this.decode(rawUnicodeEscape, line);
          if (line !== null) this.arg(s);
          stack.push(s);
          break;
        }
        case 0x58: // BINUNICODE
          stack.push(await this.operand(this.u32(), utf8Lax, BIG_STR));
          break;
        case 0x61: {
          // APPEND
          const v = this.pop();
          this.addTo(this.top(), v);
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          const inst = this.top();
          this.build(inst, state, p);
          noteDtypeBuild(inst, state);
          const array = joblibArrayAfterBuild(inst, state);
          if (array) await this.stepOverJoblibArray(array);
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = this.decode(utf8, await this.shortLine('a GLOBAL module name'));
          const name = this.decode(utf8, await this.shortLine('a GLOBAL name'));
          this.arg(`${module} ${name}`);
          stack.push(this.importGlobal(module, name, 'GLOBAL', p).ref);
          break;
        }
        case 0x64: {
          // DICT
          const n = stack.length - this.markOrFail();
          if (n % 2 !== 0) this.malformed('odd number of items for DICT');
          stack.push(new Box(this.popMark()));
          break;
        }
        case 0x7d: // EMPTY_DICT
          stack.push(new Box(null, null, new Map()));
          break;
        case 0x5d: // EMPTY_LIST
        case 0x8f: // EMPTY_SET
          stack.push(new Box(null));
          break;
        case 0x65: {
          // APPENDS
          const refs = this.popMark();
          this.addRefs(this.top(), refs);
          break;
        }
        case 0x67: {
          // GET
          const key = this.parseInt(latin1(await this.shortLine('a GET memo key')), false);
          this.arg(Number(key));
          stack.push(this.memoGet(Number(key)));
          break;
        }
        case 0x68: // BINGET
          stack.push(this.memoGet(this.argNum(this.u8())));
          break;
        case 0x6a: // LONG_BINGET
          stack.push(this.memoGet(this.argNum(this.u32())));
          break;
        case 0x69: {
          // INST
          const module = this.decode(strictAscii, await this.shortLine('an INST module name'));
          const name = this.decode(strictAscii, await this.shortLine('an INST name'));
          this.arg(`${module} ${name}`);
          const rec = this.importGlobal(module, name, 'INST', p);
          const refs = this.popMark();
          stack.push(this.call(rec.ref, refs, 'INST', p));
          break;
        }
        case 0x6c: // LIST
          stack.push(new Box(this.popMark()));
          break;
        case 0x6f: {
          // OBJ
          const mark = this.markOrFail();
          if (stack.length === mark) this.malformed('OBJ without a class (empty MARK)');
          const cls = stack[mark];
          let refs: ReturnType<typeof refsOf> = null;
          for (let i = mark + 1; i < stack.length; i++) refs = mergeRefs(refs, refsOf(stack[i]));
          this.popMark();
          stack.push(this.call(cls, refs, 'OBJ', p));
          break;
        }
        case 0x70: {
          // PUT
          const key = this.parseInt(latin1(await this.shortLine('a PUT memo key')), false);
          if (Number(key) < 0) this.malformed('negative PUT argument');
          this.arg(Number(key));
          this.memoPut(Number(key));
          break;
        }
        case 0x71: // BINPUT
          this.memoPut(this.argNum(this.u8()));
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.argNum(this.u32()));
          break;
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const k = this.pop();
          rememberEntry(this.top(), k, v);
          this.addTo(this.top(), v);
          this.addTo(this.top(), k);
          break;
        }
        case 0x74: // TUPLE
          stack.push(this.tupleFromMark());
          break;
        case 0x29: // EMPTY_TUPLE
          stack.push(EMPTY_TUPLE);
          break;
        case 0x75: {
          // SETITEMS
          const n = stack.length - this.markOrFail();
          if (n % 2 !== 0) this.malformed('odd number of items for SETITEMS');
          const target = stack[this.markOrFail() - 1];
          for (let i = stack.length - n; i < stack.length; i += 2)
            rememberEntry(target, stack[i], stack[i + 1]);
          // Pop first: the target is the dict below the MARK (CPython writes empty batches too).
          const refs = this.popMark();
          this.addRefs(this.top(), refs);
          break;
        }
        case 0x47: // BINFLOAT
          this.need(8);
          cur.pos += 8;
          stack.push(FLOAT);
          break;
        case 0x80: {
          // PROTO
          const v = this.argNum(this.u8());
          if (v > HIGHEST_PROTOCOL) this.malformed(`unsupported pickle protocol: ${v}`);
          this.proto = v;
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          stack.push(this.call(cls, refsOf(args), 'NEWOBJ', p));
          break;
        }
        case 0x82: // EXT1
          stack.push(this.extension(this.argNum(this.u8()), p));
          break;
        case 0x83: // EXT2
          stack.push(this.extension(this.argNum(this.u16()), p));
          break;
        case 0x84: // EXT4
          stack.push(this.extension(this.argNum(this.i32()), p));
          break;
        case 0x85: // TUPLE1
          stack.push(this.tupleOf(1));
          break;
        case 0x86: // TUPLE2
          stack.push(this.tupleOf(2));
          break;
        case 0x87: // TUPLE3
          stack.push(this.tupleOf(3));
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x8a: // LONG1
          stack.push(await this.operand(this.u8(), decodeLong, BIG_INT));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) this.malformed('LONG pickle has negative byte count');
          stack.push(await this.operand(n, decodeLong, BIG_INT));
          break;
        }
        case 0x42: // BINBYTES
          stack.push(await this.operand(this.u32(), null, BYTES));
          break;
        case 0x43: // SHORT_BINBYTES
          stack.push(await this.operand(this.u8(), null, BYTES));
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.push(await this.operand(this.u8(), utf8Lax, BIG_STR));
          break;
        case 0x8d: // BINUNICODE8
          stack.push(await this.operand(this.u64(), utf8Lax, BIG_STR));
          break;
        case 0x8e: // BINBYTES8
          stack.push(await this.operand(this.u64(), null, BYTES));
          break;
        case 0x96: // BYTEARRAY8
          stack.push(await this.operand(this.u64(), null, BYTES));
          break;
        case 0x90: {
          // ADDITEMS
          const refs = this.popMark();
          this.addRefs(this.top(), refs);
          break;
        }
        case 0x91: // FROZENSET
          stack.push(new Box(this.popMark()));
          break;
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          stack.push(
            this.call(cls, mergeRefs(mergeRefs(null, refsOf(args)), refsOf(kwargs)), 'NEWOBJ_EX', p)
          );
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          stack.push(this.stackGlobal(module, name, p));
          break;
        }
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x95: // FRAME
          this.frame(this.argNum(this.u64()), p);
          break;
        case 0x97: // NEXT_BUFFER
          this.malformed('pickle stream refers to out-of-band data but no buffers argument was given');
          break;
        case 0x98: // READONLY_BUFFER
          this.top();
          break;
        default:
          throw new PickleStop('malformed', `invalid load key 0x${code.toString(16).padStart(2, '0')}`, p);
      }
      if (stack.length > limits.maxPickleStack) {
        throw new PickleStop('limit', `stack deeper than ${limits.maxPickleStack} items`, p);
      }
    }
  }

  /** The last `lines` opcodes analysed (oldest first), for evidence. */
  recentDisassembly(lines = WINDOW_BEFORE): DisassemblyLine[] {
    const out: DisassemblyLine[] = [];
    for (let c = Math.max(1, this.opcodes - Math.min(lines, RING) + 1); c <= this.opcodes; c++) {
      out.push(this.ringLine((c - 1) % RING));
    }
    return out;
  }

  private ringLine(i: number): DisassemblyLine {
    const arg = this.ringArg[i];
    const line: DisassemblyLine = { offset: this.ringOffset[i], opcode: opcodeName(this.ringCode[i]) };
    if (arg !== undefined) line.arg = formatArg(arg);
    return line;
  }

  /**
   * Starts an evidence window around the current opcode: the lines are filled in once the next few opcodes
   * have been read (from the ring buffer, so nothing is read twice).
   */
  openWindow(): DisassemblyLine[] {
    const w = { lines: [] as DisassemblyLine[], at: this.opcodes };
    this.openWindows.push(w);
    return w.lines;
  }

  private fillWindow(w: { lines: DisassemblyLine[]; at: number }, upto: number): void {
    const first = Math.max(1, w.at - WINDOW_BEFORE + 1, upto - RING + 1);
    for (let c = first; c <= upto; c++) w.lines.push(this.ringLine((c - 1) % RING));
  }

  private extendWindows(): void {
    const done = this.openWindows.filter((w) => this.opcodes - w.at > WINDOW_AFTER);
    if (done.length === 0) return;
    for (const w of done) this.fillWindow(w, this.opcodes - 1);
    this.openWindows = this.openWindows.filter((w) => this.opcodes - w.at <= WINDOW_AFTER);
  }

  /** Completes the evidence windows still waiting for following opcodes (at the end of the analysis). */
  flushWindows(): void {
    for (const w of this.openWindows) this.fillWindow(w, this.opcodes);
    this.openWindows = [];
  }

  // --- stack, marks and memo --------------------------------------------------------------------------

  private pop(): Val {
    if (this.stack.length <= this.fence) this.underflow();
    return this.stack.pop() as Val;
  }

  private top(): Val {
    if (this.stack.length <= this.fence) this.underflow();
    return this.stack[this.stack.length - 1];
  }

  private underflow(): never {
    throw new PickleStop('malformed', 'unpickling stack underflow', this.opStart);
  }

  private markOrFail(): number {
    if (this.marks.length === 0) this.malformed('could not find MARK');
    return this.marks[this.marks.length - 1];
  }

  /** Pops everything above the top MARK and the MARK; returns the imports those items contain. */
  private popMark(): ReturnType<typeof refsOf> {
    const mark = this.markOrFail();
    const stack = this.stack;
    let refs: ReturnType<typeof refsOf> = null;
    for (let i = mark; i < stack.length; i++) {
      const v = stack[i];
      if (typeof v === 'object' && v !== null && v.refs !== null) refs = mergeRefs(refs, v.refs);
    }
    stack.length = mark;
    this.marks.pop();
    this.fence = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    return refs;
  }

  private memoGet(key: number): Val {
    const v = this.memo.get(key);
    if (v === undefined) this.malformed(`memo key ${key} has never been stored into`);
    return v as Val;
  }

  private memoPut(key: number): void {
    const v = this.top();
    if (!this.memo.has(key) && this.memo.size >= this.limits.maxPickleMemo) {
      throw new PickleStop('limit', `more than ${this.limits.maxPickleMemo} memo entries`, this.opStart);
    }
    this.memo.set(key, v);
  }

  private tupleOf(n: number): Box {
    const stack = this.stack;
    if (stack.length - this.fence < n) this.underflow();
    const items = stack.splice(stack.length - n, n);
    return tupleBox(items);
  }

  private tupleFromMark(): Box {
    const mark = this.markOrFail();
    const n = this.stack.length - mark;
    if (n > 16) return new Box(this.popMark());
    const items = this.stack.slice(mark);
    this.popMark();
    return rememberDtypeState(tupleBox(items), items);
  }

  // --- operands ---------------------------------------------------------------------------------------

  private need(n: number): void {
    const cur = this.cur;
    if (cur.end - cur.pos < n) {
      throw new PickleStop('truncated', `the data ends inside the operand of ${this.opName()}`, this.opStart);
    }
  }

  private u8(): number {
    this.need(1);
    return this.cur.buf[this.cur.pos++ - this.cur.base];
  }

  private u16(): number {
    this.need(2);
    const c = this.cur;
    const i = c.pos - c.base;
    c.pos += 2;
    return c.buf[i] | (c.buf[i + 1] << 8);
  }

  private u32(): number {
    this.need(4);
    const c = this.cur;
    const b = c.buf;
    const i = c.pos - c.base;
    c.pos += 4;
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000;
  }

  private i32(): number {
    const u = this.u32();
    return u >= 0x80000000 ? u - 0x100000000 : u;
  }

  /** u64 as a number; lengths beyond 2^53 become Infinity and fail the bounds checks. */
  private u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }

  /**
   * A newline-terminated operand, without the newline. Lines longer than maxPickleOperandCopy are skipped
   * (the loader reads lines of any length) and returned as null.
   */
  private async line(): Promise<Uint8Array | null> {
    const cur = this.cur;
    const max = this.limits.maxPickleOperandCopy;
    let nl = cur.findNewline();
    if (nl < 0 || nl - (cur.pos - cur.base) > max) {
      await cur.fill(max + 1);
      nl = cur.findNewline();
    }
    const start = cur.pos - cur.base;
    if (nl >= 0 && nl - start <= max) {
      const line = cur.buf.subarray(start, nl);
      cur.pos = cur.base + nl + 1;
      return line;
    }
    while (nl < 0) {
      if (cur.end >= cur.size) {
        throw new PickleStop(
          'truncated',
          `the data ends inside the text operand of ${this.opName()}`,
          this.opStart
        );
      }
      throwIfAborted(this.signal);
      cur.pos = cur.end;
      await cur.fill(1 << 20);
      nl = cur.findNewline();
    }
    this.arg('<long line skipped>');
    cur.pos = cur.base + nl + 1;
    return null;
  }

  /** A line that must be copied to be understood (a name, a number, a memo key). */
  private async shortLine(what: string): Promise<Uint8Array> {
    const line = await this.line();
    if (line === null) {
      throw new PickleStop(
        'limit',
        `${what} longer than ${this.limits.maxPickleOperandCopy} bytes`,
        this.opStart
      );
    }
    return line;
  }

  /**
   * A length-prefixed operand: decoded when it is short enough to matter as a name or value, otherwise
   * skipped by offset without being read.
   */
  private async operand<T>(n: number, decode: ((b: Uint8Array) => T) | null, big: Val): Promise<T | Val> {
    const cur = this.cur;
    if (!(n <= cur.size - cur.pos)) {
      throw new PickleStop(
        'truncated',
        `${this.opName()} declares ${n} bytes but only ${cur.size - cur.pos} remain`,
        this.opStart
      );
    }
    if (decode === null || n > this.limits.maxPickleOperandCopy) {
      this.arg(`<${n} bytes>`);
      cur.pos += n;
      return big;
    }
    if (cur.end - cur.pos < n) await cur.fill(n);
    const i = cur.pos - cur.base;
    const v = decode(cur.buf.subarray(i, i + n));
    cur.pos += n;
    this.arg(v);
    return v;
  }

  private decode<T>(fn: (b: Uint8Array) => T, bytes: Uint8Array): T {
    try {
      return fn(bytes);
    } catch (err) {
      if (err instanceof DecodeError) this.malformed(`${this.opName()}: ${err.message}`);
      throw err;
    }
  }

  private parseInt(text: string, base0 = true): number | bigint {
    return this.decode(() => pythonInt(text, base0), new Uint8Array(0));
  }

  private arg(v: unknown): void {
    this.ringArg[(this.opcodes - 1) % RING] = v;
  }

  private argNum(v: number): number {
    this.arg(v);
    return v;
  }

  private opName(): string {
    return opcodeName(this.ringCode[(this.opcodes - 1) % RING]);
  }

  private malformed(message: string): never {
    throw new PickleStop('malformed', message, this.opStart);
  }

  // --- frames -----------------------------------------------------------------------------------------

  /**
   * CPython's C unpickler (the one pickle.load uses) only checks that a frame's bytes exist and then reads
   * opcodes straight across frame ends; the pure-Python _Unframer refuses an operand that straddles a frame
   * end or a FRAME inside an unfinished frame, but reads past a frame that is longer than the data. We read
   * linearly (what executes in either) and report every place where the two disagree.
   */
  private frame(length: number, offset: number): void {
    const start = this.cur.pos;
    if (this.frameEnd !== Infinity && start < this.frameEnd) {
      this.frameIssues.push({ offset, reason: 'a FRAME starts before the previous frame ends' });
    }
    if (!(length <= this.cur.size - start)) {
      // A differential only if a pickle completes inside it; if the data just ends, that is a truncation.
      this.frameOverrun = {
        offset,
        reason: `the FRAME declares ${length} bytes but only ${this.cur.size - start} remain`
      };
      this.frameEnd = Infinity;
      return;
    }
    this.frameEnd = start + length;
  }

  private leaveFrame(at: number): void {
    if (at > this.frameEnd) {
      this.frameIssues.push({
        offset: this.frameEnd,
        reason: `an opcode straddles the end of a frame (frame ends at ${this.frameEnd}, opcode ends at ${at})`
      });
    }
    if (at >= this.frameEnd) this.frameEnd = Infinity;
  }

  // --- imports and calls ------------------------------------------------------------------------------

  importGlobal(rawModule: string, rawName: string, opcode: string, offset: number): ImportRecord {
    const [module, name] = this.proto < 3 ? fixImports(rawModule, rawName) : [rawModule, rawName];
    const key = `${module}\n${name}`;
    let rec = this.records.get(key);
    if (rec === undefined) {
      const written = module === rawModule && name === rawName ? '' : `${rawModule}.${rawName}`;
      rec = new ImportRecord('static', module, name, written, classifyImport(module, name), offset, opcode);
      if (rec.cls.level !== 'safe') rec.disassembly = this.openWindow();
      this.records.set(key, rec);
    }
    rec.count++;
    if (this.importSites.length < 100_000) this.importSites.push({ module, name, offset, opcode });
    return rec;
  }

  private stackGlobal(module: Val, name: Val, offset: number): Ref {
    if (typeof module === 'string' && typeof name === 'string') {
      this.arg(`${module} ${name}`);
      return this.importGlobal(module, name, 'STACK_GLOBAL', offset).ref;
    }
    if (notAString(module) || notAString(name)) this.malformed('STACK_GLOBAL requires str');
    // Operands computed at load time (results of calls, attributes changed by BUILD, strings too long to
    // copy): the import cannot be named statically, which no ordinary pickler produces.
    const known = (v: Val) => (typeof v === 'string' ? v : '?');
    const rec = new ImportRecord(
      'dynamic',
      known(module),
      known(name),
      '',
      { level: 'high', category: 'import', resolved: `${known(module)}.${known(name)}` },
      offset,
      'STACK_GLOBAL'
    );
    rec.disassembly = this.openWindow();
    rec.count = 1;
    this.records.set(`?dynamic\n${offset}`, rec);
    return rec.ref;
  }

  private extension(code: number, offset: number): Ref {
    if (code <= 0) this.malformed('EXT specifies code <= 0');
    const key = `?ext\n${code}`;
    let rec = this.records.get(key);
    if (rec === undefined) {
      rec = new ImportRecord(
        'extension',
        'copyreg extension registry',
        `code ${code}`,
        '',
        { level: 'unknown', resolved: `extension code ${code}` },
        offset,
        this.opName()
      );
      rec.disassembly = this.openWindow();
      this.records.set(key, rec);
    }
    rec.count++;
    return rec.ref;
  }

  private call(
    callee: Val,
    argRefs: ReturnType<typeof refsOf>,
    opcode: string,
    offset: number,
    args?: Literal
  ): Made {
    let origin: ImportRecord | null = null;
    if (callee instanceof Ref) {
      origin = callee.rec;
      this.markCalled(origin, opcode, offset);
    } else {
      this.dynamicCalls++;
      // Calling an object the stream built: whatever it holds may be what runs.
      const held = refsOf(callee);
      if (held) for (const r of held) this.markPassed(r);
    }
    if (argRefs) for (const r of argRefs) this.markPassed(r);
    return new Made(origin, mergeRefs(null, argRefs), Array.isArray(args) ? args : null);
  }

  /** Steps over the bytes joblib's unpickler reads after a NumpyArrayWrapper BUILD (see joblib-array.ts). */
  private async stepOverJoblibArray(array: JoblibArray): Promise<void> {
    if ('invalid' in array) {
      throw new PickleStop('limit', `joblib array data follows, but ${array.invalid}`, this.opStart);
    }
    const cur = this.cur;
    if (this.frameEnd !== Infinity) {
      // joblib commits the frame before writing an array, so a real file's frame ends right here. Inside a
      // frame, joblib would read the array from the file after the frame: a layout we do not model.
      if (cur.pos !== this.frameEnd) {
        throw new PickleStop('limit', 'joblib array data starts inside a pickle frame', this.opStart);
      }
      this.frameEnd = Infinity;
    }
    if (array.alignmentBytes !== undefined) await cur.fill(1);
    const padByte =
      array.alignmentBytes !== undefined && cur.pos < cur.end ? cur.buf[cur.pos - cur.base] : undefined;
    const span = joblibArraySpan(array, cur.pos, padByte);
    if (span.kind === 'invalid')
      throw new PickleStop('malformed', `joblib array: ${span.reason}`, this.opStart);
    if (span.kind === 'nested-pickle') {
      await this.runNestedPickle();
      return;
    }
    if (span.end > cur.size) {
      throw new PickleStop(
        'truncated',
        `joblib array data runs ${span.end - cur.size} bytes past the end`,
        cur.pos
      );
    }
    this.joblibArrays++;
    this.arg(`<joblib array: ${span.end - span.start} bytes>`);
    cur.pos = span.end;
  }

  /**
   * joblib stores object arrays as a whole pickle inside the stream (pickle.load on the same file): it is
   * analysed like any other, then the outer pickle resumes with its own stack and memo.
   */
  private async runNestedPickle(): Promise<void> {
    const saved = {
      stack: this.stack,
      marks: this.marks,
      fence: this.fence,
      memo: this.memo,
      proto: this.proto
    };
    const frameEnd = this.frameEnd;
    if (++this.nestedDepth > 8)
      throw new PickleStop('limit', 'joblib object arrays nested too deeply', this.opStart);
    try {
      await this.runOne();
      this.pickles--;
    } finally {
      this.nestedDepth--;
    }
    Object.assign(this, saved);
    this.frameEnd = frameEnd;
  }

  private markCalled(rec: ImportRecord, opcode: string, offset: number): void {
    rec.calls++;
    if (!rec.called) {
      rec.called = true;
      rec.callOffset = offset;
      rec.callOpcode = opcode;
      if (rec.cls.level !== 'safe') rec.disassembly = this.openWindow();
    }
  }

  private markPassed(rec: ImportRecord): void {
    rec.passed = true;
  }

  private build(inst: Val, state: Val, offset: number): void {
    if (inst instanceof Ref) {
      // BUILD on an imported module, class or function sets attributes on it (inst.__dict__ update).
      this.moduleTampering.push({ offset, rec: inst.rec });
      if (inst.rec.cls.level === 'safe' || inst.rec.disassembly.length === 0)
        inst.rec.disassembly = this.openWindow();
    } else if (inst instanceof Made && inst.origin) {
      this.markCalled(inst.origin, 'BUILD', offset);
    }
    const refs = refsOf(state);
    if (refs) {
      for (const r of refs) this.markPassed(r);
      if (inst instanceof Made || inst instanceof Box) inst.refs = mergeRefs(inst.refs, refs);
    }
  }

  private addTo(target: Val, v: Val): void {
    if (typeof v === 'object' && v !== null && v.refs !== null) this.addRefs(target, v.refs);
  }

  private addRefs(target: Val, refs: ReturnType<typeof refsOf>): void {
    if (refs === null) return;
    if (target instanceof Box || target instanceof Made) target.refs = mergeRefs(target.refs, refs);
    // Adding items to an object built by a call runs its append/extend/__setitem__/add methods.
    if (target instanceof Made || target instanceof Ref) for (const r of refs) this.markPassed(r);
  }
}

const EMPTY_TUPLE = new Box(null, []);

function tupleBox(items: Val[]): Box {
  let refs: ReturnType<typeof refsOf> = null;
  let literal = true;
  for (const v of items) {
    if (typeof v === 'object' && v !== null) {
      if (v.refs !== null) refs = mergeRefs(refs, v.refs);
      if (!(v instanceof Box && v.items !== null)) literal = false;
    }
  }
  if (!literal) return new Box(refs);
  return new Box(refs, items.map((v) => (v instanceof Box ? v.items : v)) as Literal[]);
}

/** Values that certainly are not a Python str at load time. */
function notAString(v: Val): boolean {
  return (
    (isLiteral(v) && typeof v !== 'string') ||
    v instanceof Box ||
    v === BYTES ||
    v === FLOAT ||
    v === BIG_INT ||
    v === BUFFER
  );
}

function literalOf(v: Val): Literal | undefined {
  if (isLiteral(v)) return v;
  if (v instanceof Box && v.items !== null) return v.items;
  return undefined;
}

function formatArg(arg: unknown): string {
  if (typeof arg === 'string') return JSON.stringify(arg.length > 120 ? `${arg.slice(0, 119)}…` : arg);
  return String(arg);
}

export { OPCODES };
