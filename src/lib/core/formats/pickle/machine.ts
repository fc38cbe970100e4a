import type { ByteSource } from '../../bytes/byte-source';
import { isAbortError, throwIfAborted } from '../../cancel';
import type { DisassemblyLine } from '../../findings';
import type { ScanLimits } from '../../limits';
import { fixImports } from './compat';
import { WindowCursor } from './cursor';
import { EvidenceRing } from './evidence-ring';
import { stepOverJoblibArray } from './joblib-step';
import { PickleStop } from './pickle-stop';
import { joblibArrayAfterBuild, noteDtypeBuild, rememberDtypeState, rememberEntry } from './joblib-array';
import { HIGHEST_PROTOCOL } from './opcodes';
import {
  decodeText,
  HIDDEN_PEEK,
  MAX_HIDDEN_DEPTH,
  MAX_HIDDEN_STAGES,
  MAX_HIDDEN_TEXT,
  plausiblePickle,
  pythonArgs,
  textEncodingOf,
  type HiddenBudget,
  type HiddenStage,
  type PayloadEncoding
} from './hidden';
import { classifyImport, levelRank, type ImportLevel } from './policy';
import { memorySource } from '../../bytes/byte-source';
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
  Carrier,
  FLOAT,
  ImportRecord,
  isLiteral,
  effectiveLevel,
  Made,
  mergeRefs,
  Opaque,
  PERSISTENT,
  Ref,
  refsOf,
  type Literal,
  type Val
} from './values';

/** Import sites a machine lists (the records still count every import past it). */
export const MAX_IMPORT_SITES = 100_000;

/** One import as find_class would receive it (after fix_imports), where an opcode or a resolved call made it. */
export interface ImportSite {
  module: string;
  name: string;
  offset: number;
  opcode: string;
}

/**
 * Sees each opcode of the machine's own stream once the machine has read and checked it: its operand is
 * consumed (`cur.pos` is just past it) and still in `cur`'s window when it was short enough to be copied.
 * The converter builds its values from this, so that it reads exactly the bytes the verdict was made on.
 */
export interface OpcodeObserver {
  opcode(code: number, start: number): void;
}

export interface FrameIssue {
  offset: number;
  reason: string;
}

/**
 * A symbolic pickle machine: it follows CPython's Unpickler opcode by opcode, with a stack and memo of
 * symbolic values, but never imports or calls anything. It records every import (resolved as find_class
 * would) and every way an imported object gets called.
 */
export class PickleMachine {
  readonly cur: WindowCursor;
  readonly records = new Map<string, ImportRecord>();
  readonly importSites: ImportSite[] = [];
  /** The import the machine resolved last, whether or not it is listed in `importSites`. */
  lastImport: ImportSite | undefined;
  observer: OpcodeObserver | undefined;
  readonly frameIssues: FrameIssue[] = [];
  private frameOverrun: FrameIssue | undefined;
  /** Imported objects the stream changes in place (sys.path, os.environ, a module's __dict__ …). */
  readonly mutated: ImportRecord[] = [];
  /** Pickles hidden in the stream's values (kind 'payload' records). */
  readonly payloads: ImportRecord[] = [];
  /** copyreg extension codes the stream registers itself: code → (module, name) or the object. */
  private readonly extensions = new Map<number, [string, string] | Val>();
  /** Set when the stream changes the copyreg registry in a way that cannot be read statically. */
  private registryChangedBlindly = false;
  persistentIds = 0;
  /** Raw NumPy arrays joblib interleaves with the opcodes, stepped over unread. */
  joblibArrays = 0;
  private nestedDepth = 0;
  dynamicCalls = 0;
  pickles = 0;
  /** Offset just after the last STOP. */
  end: number;

  private stack: Val[] = [];
  private marks: number[] = [];
  private fence = 0;
  private memo = new Map<number, Val>();
  private proto = 0;
  /** End of the current pickle frame (Infinity outside one). */
  frameEnd = Infinity;
  private readonly ring = new EvidenceRing();
  /** Offset of the opcode being analysed. */
  opStart = 0;

  constructor(
    src: ByteSource,
    start: number,
    private readonly limits: ScanLimits,
    private readonly signal?: AbortSignal,
    /** 0 for the file's own stream, n for a pickle hidden n levels deep in its values. */
    readonly depth = 0,
    private readonly budget: HiddenBudget = { stages: 0, skipped: 0 },
    /** Where the outermost carrier of this hidden stage sits in the file's own stream. */
    private readonly carrierOffset = -1
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
      this.ring.record(p, code);
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
          this.observer?.opcode(code, p);
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
          stack[stack.length - 1] = this.call(func, refsOf(args), 'REDUCE', p, literalOf(args), args);
          break;
        }
        case 0x53: {
          // STRING
          const line = await this.line();
          const s = line === null ? BIG_STR : this.decode(pythonStringLiteral, line);
          if (line !== null) this.arg(s);
          stack.push(await this.hiddenText(s));
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
          stack.push(await this.hiddenText(s));
          break;
        }
        case 0x58: // BINUNICODE
          stack.push(await this.operand(this.u32(), utf8Lax, BIG_STR));
          break;
        case 0x61: {
          // APPEND
          const v = this.pop();
          this.mutate(this.top(), 'APPEND', p, () => [v]);
          this.addTo(this.top(), v);
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          const inst = this.top();
          this.mutate(inst, 'BUILD', p, () => [state]);
          this.build(inst, state, p);
          noteDtypeBuild(inst, state);
          const array = joblibArrayAfterBuild(inst, state);
          if (array) await stepOverJoblibArray(this, array);
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
          this.mutate(stack[this.markOrFail() - 1], 'APPENDS', p, () => stack.slice(this.markOrFail()));
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
          this.mutate(this.top(), 'SETITEM', p, () => [k, v]);
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
          this.mutate(target, 'SETITEMS', p, () => stack.slice(stack.length - n));
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
          stack.push(this.call(cls, refsOf(args), 'NEWOBJ', p, literalOf(args), args));
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
          this.mutate(stack[this.markOrFail() - 1], 'ADDITEMS', p, () => stack.slice(this.markOrFail()));
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
      this.observer?.opcode(code, p);
    }
  }

  /** Opcodes analysed so far, over every pickle this machine ran. */
  get opcodes(): number {
    return this.ring.count;
  }
  private set opcodes(n: number) {
    this.ring.count = n;
  }

  /** The last `lines` opcodes analysed (oldest first), for evidence. */
  recentDisassembly(lines?: number): DisassemblyLine[] {
    return this.ring.recent(lines);
  }

  /** Starts an evidence window around the current opcode (see EvidenceRing). */
  openWindow(): DisassemblyLine[] {
    return this.ring.openWindow();
  }

  /** Completes the evidence windows still waiting for following opcodes (at the end of the analysis). */
  flushWindows(): void {
    this.ring.flush();
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
    return v;
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
    const at = cur.pos;
    if (decode === null || n > this.limits.maxPickleOperandCopy) {
      this.arg(`<${n} bytes>`);
      const head = n >= 8 ? await this.peek(at, Math.min(n, HIDDEN_PEEK)) : null;
      cur.pos += n;
      if (head === null) return big;
      if (decode === null) {
        return plausiblePickle(head, n <= HIDDEN_PEEK)
          ? this.hiddenStage(() => Promise.resolve(cur.src.sub(at, n)), 'bytes', n, big)
          : big;
      }
      return this.hiddenLongText(head, at, n, big);
    }
    if (cur.end - cur.pos < n) await cur.fill(n);
    const i = cur.pos - cur.base;
    const v = decode(cur.buf.subarray(i, i + n));
    cur.pos += n;
    this.arg(v);
    return typeof v === 'string' ? await this.hiddenText(v) : v;
  }

  // --- hidden payloads --------------------------------------------------------------------------------

  /** Embedded pickles found past the stage or depth limit, not analysed (counted for the whole file). */
  get hiddenSkipped(): number {
    return this.budget.skipped;
  }

  private hiddenAllowed(): boolean {
    return this.depth < MAX_HIDDEN_DEPTH && this.budget.stages < MAX_HIDDEN_STAGES;
  }

  /** Up to `n` bytes at absolute offset `at` without moving the cursor. */
  private async peek(at: number, n: number): Promise<Uint8Array> {
    const cur = this.cur;
    if (at >= cur.base && at + n <= cur.end) return cur.buf.subarray(at - cur.base, at - cur.base + n);
    return cur.src.read(at, n);
  }

  /** A decoded string value: a pickle in latin-1, base64 or hex text becomes a hidden stage. */
  private async hiddenText(v: Val): Promise<Val> {
    if (typeof v !== 'string' || v.length < 8) return v;
    const encoding = textEncodingOf(v, true);
    if (encoding === undefined) return v;
    const bytes = decodeText(v, encoding);
    if (bytes === undefined) return v;
    return this.hiddenStage(
      () => Promise.resolve(memorySource(bytes, 'hidden payload')),
      encoding,
      v.length,
      v
    );
  }

  /** A string too long to copy as a value: decoded from the file when its start says it is a payload. */
  private async hiddenLongText(head: Uint8Array, at: number, n: number, big: Val): Promise<Val> {
    const encoding = textEncodingOf(utf8Lax(head), false);
    if (encoding === undefined) return big;
    if (n > MAX_HIDDEN_TEXT) {
      return this.hiddenStage(
        () => Promise.reject(new Error(`the text is ${n} bytes, more than the ${MAX_HIDDEN_TEXT} decoded`)),
        encoding,
        n,
        big
      );
    }
    const src = this.cur.src;
    return this.hiddenStage(
      async () => {
        const bytes = decodeText(utf8Lax(await src.read(at, n)), encoding);
        if (!bytes) throw new Error(`the value is not valid ${encoding}`);
        return memorySource(bytes, 'hidden payload');
      },
      encoding,
      n,
      big
    );
  }

  /**
   * Analyses an embedded pickle with a machine of its own (its own stack, memo and limits) and returns the
   * value that stands for it on this stack: it carries a 'payload' record, so that handing it to pickle.loads
   * or another decoder is seen like any other use.
   */
  private async hiddenStage(
    open: () => Promise<ByteSource>,
    encoding: PayloadEncoding,
    length: number,
    plain: Val
  ): Promise<Val> {
    if (!this.hiddenAllowed()) {
      this.budget.skipped++;
      return plain;
    }
    const offset = this.opStart;
    const carrier = this.carrierOffset >= 0 ? this.carrierOffset : offset;
    const found = await analyseEmbeddedPickle(open, encoding, length, carrier, {
      limits: this.limits,
      signal: this.signal,
      depth: this.depth + 1,
      budget: this.budget
    });
    if (!found) return plain;
    const rec = new ImportRecord(
      'payload',
      encoding,
      `${length} bytes`,
      '',
      { level: 'safe', resolved: 'hidden payload' },
      offset,
      this.opName()
    );
    rec.stage = found.stage;
    rec.disassembly = this.openWindow();
    this.payloads.push(rec, ...found.deeper);
    return new Carrier(encoding === 'bytes' ? 'bytes' : 'str', [rec]);
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

  arg(v: unknown): void {
    this.ring.setArg(v);
  }

  private argNum(v: number): number {
    this.arg(v);
    return v;
  }

  private opName(): string {
    return this.ring.currentName();
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

  importGlobal(
    rawModule: string,
    rawName: string,
    opcode: string,
    offset: number,
    site = true
  ): ImportRecord {
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
    this.lastImport = { module, name, offset, opcode };
    if (site && this.importSites.length < MAX_IMPORT_SITES) this.importSites.push(this.lastImport);
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
      { level: 'high', capability: 'import', resolved: `${known(module)}.${known(name)}` },
      offset,
      'STACK_GLOBAL'
    );
    rec.disassembly = this.openWindow();
    rec.count = 1;
    this.records.set(`?dynamic\n${offset}`, rec);
    return rec.ref;
  }

  private extension(code: number, offset: number): Val {
    if (code <= 0) this.malformed('EXT specifies code <= 0');
    const registered = this.extensions.get(code);
    if (Array.isArray(registered)) {
      const rec = this.importGlobal(registered[0], registered[1], this.opName(), offset);
      rec.viaExtension = code;
      return rec.ref;
    }
    if (registered !== undefined) return registered;
    const key = `?ext\n${code}`;
    let rec = this.records.get(key);
    if (rec === undefined) {
      rec = new ImportRecord(
        'extension',
        'copyreg extension registry',
        `code ${code}`,
        '',
        this.registryChangedBlindly
          ? { level: 'high', capability: 'import', resolved: `extension code ${code}` }
          : { level: 'unknown', resolved: `extension code ${code}` },
        offset,
        this.opName()
      );
      rec.disassembly = this.openWindow();
      this.records.set(key, rec);
    }
    rec.count++;
    return rec.ref;
  }

  /**
   * Calls whose effect their literal arguments decide: getattr(imported, "name") and numpy's
   * _ufunc_reconstruct("module", "name") are imports of that name, and copyreg.add_extension fills the
   * registry that later EXT opcodes read. Returns the value standing for the result when it was resolved.
   */
  private resolveCall(rec: ImportRecord, args: Val | undefined, offset: number): Val | undefined {
    const vals = args instanceof Box ? args.values : null;
    const str = (i: number) => (vals && typeof vals[i] === 'string' ? vals[i] : undefined);
    switch (rec.cls.resolved) {
      case 'builtins.getattr': {
        const attr = str(1);
        const target = vals?.[0];
        if (attr === undefined || vals?.length !== 2) return undefined;
        const owner =
          target instanceof Ref && target.rec.kind === 'static'
            ? target.rec
            : target instanceof Made && target.origin?.cls.capability === 'inert'
              ? target.origin // an attribute of an instance of a known class: the class's attribute
              : undefined;
        if (!owner) return undefined;
        return this.importGlobal(owner.module, `${owner.name}.${attr}`, 'getattr', offset, false).ref;
      }
      case 'numpy.core._ufunc_reconstruct':
      case 'numpy._core._ufunc_reconstruct':
      case 'numpy.core.umath._ufunc_reconstruct': {
        const module = str(0);
        const name = str(1);
        if (module === undefined || name === undefined || vals?.length !== 2) return undefined;
        return this.importGlobal(module, name, '_ufunc_reconstruct', offset, false).ref;
      }
      case 'copyreg.add_extension': {
        const module = str(0);
        const name = str(1);
        const code = vals?.[2];
        if (module !== undefined && name !== undefined && typeof code === 'number') {
          this.extensions.set(code, [module, name]);
        } else this.registryChangedBlindly = true;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** APPEND(S), SETITEM(S), ADDITEMS or BUILD applied to an imported object rather than a new one. */
  private mutate(target: Val | undefined, opcode: string, offset: number, itemsOf: () => Val[]): void {
    if (!(target instanceof Ref) || target.rec.kind === 'payload') return;
    const rec = target.rec;
    const items = itemsOf();
    if (opcode === 'SETITEM' || opcode === 'SETITEMS') this.registerThroughTable(rec, items);
    if (rec.mutations.length === 0) {
      this.mutated.push(rec);
      if (rec.cls.level === 'safe' || rec.disassembly.length === 0) rec.disassembly = this.openWindow();
    }
    if (rec.mutations.length < 8) {
      rec.mutations.push({ opcode, offset, items: items.slice(0, 4).map(renderValue) });
    }
  }

  /** copyreg._inverted_registry[code] = (module, name) and _extension_cache[code] = obj register EXT codes. */
  private registerThroughTable(rec: ImportRecord, items: Val[]): void {
    const table = rec.cls.resolved;
    if (table !== 'copyreg._inverted_registry' && table !== 'copyreg._extension_cache') return;
    for (let i = 0; i + 1 < items.length; i += 2) {
      const code = items[i];
      const value = items[i + 1];
      const pair = value instanceof Box ? value.items : null;
      if (typeof code !== 'number') this.registryChangedBlindly = true;
      else if (table === 'copyreg._extension_cache') this.extensions.set(code, value);
      else if (pair && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
        this.extensions.set(code, [pair[0], pair[1]]);
      } else this.registryChangedBlindly = true;
    }
  }

  private call(
    callee: Val,
    argRefs: ReturnType<typeof refsOf>,
    opcode: string,
    offset: number,
    args?: Literal,
    argValue?: Val
  ): Val {
    let origin: ImportRecord | null = null;
    if (callee instanceof Ref) {
      origin = callee.rec;
      this.markCalled(origin, opcode, offset);
      if (origin.firstArgs === null) origin.firstArgs = renderArgs(args, argValue);
      const resolved = this.resolveCall(origin, argValue, offset);
      if (resolved !== undefined) {
        origin.resolvedCalls++;
        return resolved;
      }
      const decodes = origin.cls.capability === 'deserialise' || origin.cls.capability === 'exec';
      if (decodes && argRefs) {
        for (const r of argRefs) if (r.kind === 'payload') r.decodedBy ??= `${origin.module}.${origin.name}`;
      }
    } else {
      this.dynamicCalls++;
      // Calling an object the stream built: whatever it holds may be what runs.
      const held = refsOf(callee);
      if (held) for (const r of held) this.markPassed(r);
    }
    if (argRefs) for (const r of argRefs) this.markPassed(r);
    return new Made(origin, mergeRefs(null, argRefs), Array.isArray(args) ? args : null);
  }

  /**
   * joblib stores object arrays as a whole pickle inside the stream (pickle.load on the same file): it is
   * analysed like any other, then the outer pickle resumes with its own stack and memo.
   */
  async runNestedPickle(): Promise<void> {
    const saved = {
      stack: this.stack,
      marks: this.marks,
      fence: this.fence,
      memo: this.memo,
      proto: this.proto
    };
    const frameEnd = this.frameEnd;
    const observer = this.observer;
    if (++this.nestedDepth > 8)
      throw new PickleStop('limit', 'joblib object arrays nested too deeply', this.opStart);
    // The observer follows one stream's opcodes; it sees the BUILD this pickle hides behind instead.
    this.observer = undefined;
    try {
      await this.runOne();
      this.pickles--;
    } finally {
      this.nestedDepth--;
      this.observer = observer;
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
    // BUILD on an imported module, class or function (inst.__dict__ update) is recorded by mutate().
    if (inst instanceof Made && inst.origin) {
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
  if (!literal) return new Box(refs, null, null, items);
  return new Box(refs, items.map((v) => (v instanceof Box ? v.items : v)) as Literal[], null, items);
}

/** A call's arguments for messages: literal tuples in full, other tuples item by item. */
function renderArgs(args: Literal | undefined, value: Val | undefined): string | null {
  if (Array.isArray(args)) return pythonArgs(args);
  if (value instanceof Box && value.values) {
    const text = value.values.map(renderValue).join(', ');
    return text.length > 160 ? `${text.slice(0, 159)}…` : text;
  }
  return null;
}

/** A value as Python would print it, for messages; objects the stream built are named by where they came from. */
function renderValue(v: Val): string {
  if (v instanceof Ref) return `<${v.rec.module}.${v.rec.name}>`;
  if (v instanceof Carrier) return '<hidden pickle payload>';
  const literal = literalOf(v);
  if (literal !== undefined) return pythonArgs([literal], 120);
  if (v instanceof Made && v.origin) return `<${v.origin.module}.${v.origin.name}(…)>`;
  if (v instanceof Box) return v.entries ? '{…}' : '[…]';
  return v instanceof Opaque ? `<${v.kind}>` : '<object>';
}

/** What an embedded stage would do if it were unpickled. */
function summariseStage(inner: PickleMachine, stage: HiddenStage): void {
  for (const rec of inner.records.values()) {
    const level = effectiveLevel(rec);
    if (level === 'safe') continue;
    if (levelRank(level) > levelRank(stage.worst)) stage.worst = level;
    if (stage.imports.length >= 50) continue;
    const path = `${rec.module}.${rec.name}`;
    stage.imports.push({
      path,
      level,
      capability: rec.cls.capability,
      called: rec.called,
      call: rec.firstArgs !== null ? `${path}(${rec.firstArgs})` : undefined
    });
  }
  for (const rec of inner.mutated) {
    stage.worst = 'critical';
    if (stage.mutations.length < 10) stage.mutations.push(describeMutation(rec));
  }
  for (const deeper of inner.payloads) {
    const level: ImportLevel = deeper.stage?.worst ?? 'safe';
    if (levelRank(level) > levelRank(stage.worst) && deeper.decodedBy) stage.worst = level;
  }
}

/** One line: `appends "/tmp/x" to sys.path` (APPENDS at offset 12). */
export function describeMutation(rec: ImportRecord): string {
  const m = rec.mutations[0];
  const target = `${rec.module}.${rec.name}`;
  const what = m.items.join(', ');
  switch (m.opcode) {
    case 'APPEND':
    case 'APPENDS':
      return `appends ${what} to ${target}`;
    case 'SETITEM':
    case 'SETITEMS': {
      const pairs: string[] = [];
      for (let i = 0; i + 1 < m.items.length; i += 2)
        pairs.push(`${target}[${m.items[i]}] = ${m.items[i + 1]}`);
      return `sets ${pairs.join(', ') || `items of ${target}`}`;
    }
    case 'ADDITEMS':
      return `adds ${what} to ${target}`;
    default:
      return `sets attributes of ${target} from ${what}`;
  }
}

/** Values that certainly are not a Python str at load time. */
function notAString(v: Val): boolean {
  return (
    (isLiteral(v) && typeof v !== 'string') ||
    v instanceof Box ||
    v === BYTES ||
    v === FLOAT ||
    v === BIG_INT ||
    v === BUFFER ||
    (v instanceof Carrier && v.kind === 'bytes')
  );
}

function literalOf(v: Val): Literal | undefined {
  if (isLiteral(v)) return v;
  if (v instanceof Box && v.items !== null) return v.items;
  return undefined;
}

export interface EmbeddedContext {
  limits: ScanLimits;
  signal?: AbortSignal;
  /** 1 for a pickle inside the file's own values (or inside another format's data). */
  depth: number;
  budget: HiddenBudget;
}

/**
 * Analyses a pickle embedded in some value with a machine of its own (its own stack, memo and limits).
 * Returns what unpickling it would do, and the stages hidden deeper inside it; undefined when it does
 * nothing outside the safe set and hides nothing (plain data that happens to be pickled).
 */
export async function analyseEmbeddedPickle(
  open: () => Promise<ByteSource>,
  encoding: PayloadEncoding,
  length: number,
  offset: number,
  ctx: EmbeddedContext
): Promise<{ stage: HiddenStage; deeper: ImportRecord[] } | undefined> {
  ctx.budget.stages++;
  const stage: HiddenStage = {
    offset,
    length,
    encoding,
    depth: ctx.depth,
    imports: [],
    mutations: [],
    worst: 'safe'
  };
  let inner: PickleMachine | undefined;
  try {
    const src = await open();
    inner = new PickleMachine(src, 0, ctx.limits, ctx.signal, ctx.depth, ctx.budget, offset);
    for (let n = 0; n < ctx.limits.maxStackedPickles && inner.cur.pos < src.size; n++) {
      await inner.runOne();
    }
  } catch (err) {
    if (isAbortError(err) || !(err instanceof Error)) throw err;
    stage.stop = err instanceof PickleStop ? `${err.message} (offset ${err.offset})` : err.message;
  }
  if (!inner) return { stage, deeper: [] };
  inner.flushWindows();
  summariseStage(inner, stage);
  if (stage.worst === 'safe' && stage.mutations.length === 0 && inner.payloads.length === 0) return undefined;
  return { stage, deeper: inner.payloads };
}
