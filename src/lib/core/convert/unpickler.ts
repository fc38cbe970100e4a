import type { ByteSource } from '../bytes/byte-source';
import type { ScanLimits } from '../limits';
import { fixImports } from '../formats/pickle/compat';
import {
  MAX_IMPORT_SITES,
  PickleMachine,
  type ImportSite,
  type OpcodeObserver
} from '../formats/pickle/machine';
import { PickleStop } from '../formats/pickle/pickle-stop';
import {
  DecodeError,
  latin1,
  pythonInt,
  pythonStringLiteral,
  rawUnicodeEscape,
  strictAscii,
  utf8
} from '../formats/pickle/text';
import { ConvertError } from './errors';
import { OperandReader } from './operand-reader';
import { utf8SurrogatePass } from './utf8';
import { dictKey } from './value-keys';
import { Global, Opaque, PyDict, PyFloat, PyList, PySet, PyTuple, Tensor, type Value } from './values';

/** A call the stream asks for, for the interpreter of known globals. */
export interface CallSite {
  callee: Global;
  args: Value[];
  opcode: string;
  offset: number;
}

export interface UnpicklerHooks {
  /** BINPERSID / PERSID: the container's storage lookup. */
  persistentLoad(pid: Value, offset: number): Value;
  /** Interprets a call to an understood global; undefined leaves it opaque (never run). */
  call(site: CallSite): Value | undefined;
}

/** A call that was not interpreted: listed in the report, never executed. */
export interface NotExecuted {
  callee: string;
  opcode: string;
  offset: number;
  count: number;
}

/** Values kept in containers across one file; bounds the memory a hostile stream can make us use. */
const MAX_ITEMS = 5_000_000;
/** Nodes one opaque object's contents are walked for imports and tensors. */
const ABSORB_BUDGET = 10_000;

/**
 * Builds the values (dicts, lists, tensors) CPython's Unpickler would build, without importing or calling
 * anything, from the scanner's own reading of the stream: the pickle machine the verdict comes from reads
 * every opcode and operand (framing, lengths, bounds, where each pickle stops, what each import names) and
 * hands each one to this builder, so the two cannot read the bytes differently. Only the calls the hooks
 * understand produce values; any other import or call becomes an Opaque value recorded in `notExecuted`.
 * Wherever the machine reads the stream unlike torch.load would (a joblib array stepped over, frames the two
 * CPython unpicklers read differently), the pickle is refused.
 */
export class ValueUnpickler implements OpcodeObserver {
  readonly notExecuted = new Map<string, NotExecuted>();
  /** Offset just after each STOP read, in order. */
  readonly ends: number[] = [];
  /** The import each GLOBAL, INST and STACK_GLOBAL made here, in order (up to MAX_IMPORT_SITES). */
  readonly importSites: ImportSite[] = [];
  private readonly machine: PickleMachine;
  private readonly r: OperandReader;
  private stack: Value[] = [];
  private metastack: Value[][] = [];
  private memo = new Map<number, Value>();
  private proto = 0;
  private items = 0;
  private result: Value = null;

  constructor(
    src: ByteSource,
    start: number,
    limits: ScanLimits,
    private readonly hooks: UnpicklerHooks,
    signal?: AbortSignal
  ) {
    this.machine = new PickleMachine(src, start, limits, signal);
    this.machine.observer = this;
    this.r = new OperandReader(this.machine.cur, limits.maxPickleOperandCopy);
  }

  /** Offset just after the last STOP read. */
  get position(): number {
    return this.machine.end;
  }

  /** Runs one pickle from the current position to its STOP and returns the value STOP pops. */
  async load(): Promise<Value> {
    this.stack = [];
    this.metastack = [];
    this.memo = new Map();
    this.proto = 0;
    this.result = null;
    const frames = this.machine.frameIssues.length;
    try {
      await this.machine.runOne();
    } catch (err) {
      if (err instanceof PickleStop) throw new ConvertError(err.message, err.offset);
      throw err;
    }
    const frame = this.machine.frameIssues[frames];
    if (frame) {
      throw new ConvertError(
        `CPython's two unpicklers read this pickle's frames differently: ${frame.reason}`,
        frame.offset
      );
    }
    this.ends.push(this.machine.end);
    return this.result;
  }

  /** One opcode the machine has read and checked (see OpcodeObserver). */
  opcode(code: number, p: number): void {
    this.r.start = p;
    this.r.code = code;
    if (code === 0x2e) {
      // STOP
      this.result = this.pop();
      return;
    }
    this.step(code, p);
  }

  private step(code: number, p: number): void {
    switch (code) {
      case 0x28: // MARK
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case 0x30: // POP
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return;
      case 0x31: // POP_MARK
        this.popMark();
        return;
      case 0x32: // DUP
        this.push(this.top());
        return;
      case 0x46: // FLOAT (the machine has checked that Python would parse it)
        this.push(new PyFloat(Number(latin1(this.r.line()))));
        return;
      case 0x49: {
        // INT
        const text = latin1(this.r.line());
        this.push(text === '00' ? false : text === '01' ? true : this.int(text));
        return;
      }
      case 0x4a: // BININT
        this.push(this.r.i32());
        return;
      case 0x4b: // BININT1
        this.push(this.r.u8());
        return;
      case 0x4c: {
        // LONG
        let text = latin1(this.r.line());
        if (text.endsWith('L')) text = text.slice(0, -1);
        this.push(this.int(text));
        return;
      }
      case 0x4d: // BININT2
        this.push(this.r.u16());
        return;
      case 0x4e: // NONE
        this.push(null);
        return;
      case 0x50: // PERSID
        this.push(this.hooks.persistentLoad(this.decode(strictAscii, this.r.line()), p));
        return;
      case 0x51: // BINPERSID
        this.push(this.hooks.persistentLoad(this.pop(), p));
        return;
      case 0x52: {
        // REDUCE
        const args = this.pop();
        const func = this.top();
        if (!(args instanceof PyTuple)) this.fail('REDUCE arguments are not a tuple');
        this.stack[this.stack.length - 1] = this.call(func, args.items, 'REDUCE', p);
        return;
      }
      case 0x53: // STRING
        this.push(this.decode(utf8, encodeLatin1(this.decode(pythonStringLiteral, this.r.line()))));
        return;
      case 0x54: // BINSTRING
        this.push(this.r.text(4, (b) => this.decode(utf8, b)));
        return;
      case 0x55: // SHORT_BINSTRING
        this.push(this.r.text(1, (b) => this.decode(utf8, b)));
        return;
      case 0x56: // UNICODE
        this.push(this.decode(rawUnicodeEscape, this.r.line()));
        return;
      case 0x58: // BINUNICODE
        this.push(this.r.text(4, (b) => this.decode(utf8SurrogatePass, b)));
        return;
      case 0x8c: // SHORT_BINUNICODE
        this.push(this.r.text(1, (b) => this.decode(utf8SurrogatePass, b)));
        return;
      case 0x8d: // BINUNICODE8
        this.push(this.r.text(8, (b) => this.decode(utf8SurrogatePass, b)));
        return;
      case 0x42: // BINBYTES
        this.push(this.r.skipped(4));
        return;
      case 0x43: // SHORT_BINBYTES
        this.push(this.r.skipped(1));
        return;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        this.push(this.r.skipped(8));
        return;
      case 0x61: {
        // APPEND
        const v = this.pop();
        this.extend(this.top(), [v], 'APPEND', p);
        return;
      }
      case 0x65: {
        // APPENDS
        const items = this.popMark();
        this.extend(this.top(), items, 'APPENDS', p);
        return;
      }
      case 0x62: {
        // BUILD
        if (this.machine.cur.pos !== p + 1) {
          // joblib's NumpyUnpickler reads array bytes after a NumpyArrayWrapper's BUILD; torch.load does not.
          this.fail(
            'the scanner reads the bytes after this BUILD as joblib array data, torch.load as opcodes'
          );
        }
        const state = this.pop();
        this.build(this.top(), state, p);
        return;
      }
      case 0x63: // GLOBAL
        this.push(this.global(this.machineImport('GLOBAL', p)));
        return;
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL requires str');
        const [m, n] = this.proto < 3 ? fixImports(module, name) : [module, name];
        const site = this.machineImport('STACK_GLOBAL', p);
        if (site.module !== m || site.name !== n) {
          const quote = (a: string, b: string) => JSON.stringify(`${a}.${b}`.slice(0, 120));
          this.fail(
            `the scanner reads this import as ${quote(site.module, site.name)}, torch.load as ${quote(m, n)}`
          );
        }
        this.push(this.global(site));
        return;
      }
      case 0x64: {
        // DICT
        const items = this.popMark();
        if (items.length % 2 !== 0) this.fail('odd number of items for DICT');
        const d = new PyDict(false);
        this.setItems(d, items, 'DICT', p);
        this.push(d);
        return;
      }
      case 0x7d: // EMPTY_DICT
        this.push(new PyDict(false));
        return;
      case 0x5d: // EMPTY_LIST
        this.push(new PyList([]));
        return;
      case 0x29: // EMPTY_TUPLE
        this.push(new PyTuple([]));
        return;
      case 0x8f: // EMPTY_SET
        this.push(new PySet([]));
        return;
      case 0x91: // FROZENSET
        this.push(new PySet(this.count(this.popMark())));
        return;
      case 0x90: {
        // ADDITEMS
        const items = this.popMark();
        const target = this.top();
        if (target instanceof PySet) target.items.push(...this.count(items));
        else this.extend(target, items, 'ADDITEMS', p);
        return;
      }
      case 0x6c: // LIST
        this.push(new PyList(this.count(this.popMark())));
        return;
      case 0x74: // TUPLE
        this.push(new PyTuple(this.count(this.popMark())));
        return;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = code - 0x84;
        if (this.stack.length < n) this.underflow();
        this.push(new PyTuple(this.count(this.stack.splice(this.stack.length - n, n))));
        return;
      }
      case 0x67: // GET
        this.push(this.memoGet(Number(this.int(latin1(this.r.line()), false))));
        return;
      case 0x68: // BINGET
        this.push(this.memoGet(this.r.u8()));
        return;
      case 0x6a: // LONG_BINGET
        this.push(this.memoGet(this.r.u32()));
        return;
      case 0x70: // PUT
        this.memoPut(Number(this.int(latin1(this.r.line()), false)));
        return;
      case 0x71: // BINPUT
        this.memoPut(this.r.u8());
        return;
      case 0x72: // LONG_BINPUT
        this.memoPut(this.r.u32());
        return;
      case 0x94: // MEMOIZE
        this.memoPut(this.memo.size);
        return;
      case 0x69: {
        // INST
        const cls = this.global(this.machineImport('INST', p));
        this.push(this.call(cls, this.popMark(), 'INST', p));
        return;
      }
      case 0x6f: {
        // OBJ
        const args = this.popMark();
        if (args.length === 0) this.fail('OBJ without a class');
        const cls = args.shift() as Value;
        this.push(this.call(cls, args, 'OBJ', p));
        return;
      }
      case 0x81: {
        // NEWOBJ
        const args = this.pop();
        const cls = this.pop();
        if (!(args instanceof PyTuple)) this.fail('NEWOBJ arguments are not a tuple');
        this.push(this.call(cls, args.items, 'NEWOBJ', p));
        return;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!(args instanceof PyTuple)) this.fail('NEWOBJ_EX arguments are not a tuple');
        const result = this.call(cls, [...args.items, kwargs], 'NEWOBJ_EX', p);
        this.push(result);
        return;
      }
      case 0x73: {
        // SETITEM
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v], 'SETITEM', p);
        return;
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark();
        if (items.length % 2 !== 0) this.fail('odd number of items for SETITEMS');
        this.setItems(this.top(), items, 'SETITEMS', p);
        return;
      }
      case 0x47: // BINFLOAT
        this.push(new PyFloat(this.r.f64be()));
        return;
      case 0x80: // PROTO (the machine has refused unknown protocols)
        this.proto = this.r.u8();
        return;
      case 0x95: // FRAME: the machine reads frames linearly, as the C unpickler does
        return;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        // What an extension code imports is whatever the loading program (or an earlier call in this
        // stream, which is never run here) put in copyreg's registry; torch.save never writes one.
        this.fail(
          `${this.r.opName()} imports through the copyreg extension registry, which is not interpreted`
        );
        return;
      case 0x88: // NEWTRUE
        this.push(true);
        return;
      case 0x89: // NEWFALSE
        this.push(false);
        return;
      case 0x8a: // LONG1
        this.push(this.r.long(1));
        return;
      case 0x8b: // LONG4
        this.push(this.r.long(4));
        return;
      case 0x98: // READONLY_BUFFER
        this.top();
        return;
      default:
        // The machine refuses every other opcode (NEXT_BUFFER, invalid keys) before it gets here.
        this.fail(`${this.r.opName()} is not interpreted`);
    }
  }

  // --- calls, imports and mutation ---------------------------------------------------------------------

  /** The import the machine resolved for the opcode at `offset` (it applied fix_imports already). */
  private machineImport(opcode: string, offset: number): ImportSite {
    const site = this.machine.lastImport;
    if (!site || site.offset !== offset || site.opcode !== opcode) {
      this.fail(`the scanner cannot name the import ${opcode} makes`);
    }
    return site;
  }

  private global(site: ImportSite): Global {
    if (this.importSites.length < MAX_IMPORT_SITES) this.importSites.push(site);
    return new Global(site.module, site.name);
  }

  private call(callee: Value, args: Value[], opcode: string, offset: number): Value {
    if (callee instanceof Global) {
      const result = this.hooks.call({ callee, args, opcode, offset });
      if (result !== undefined) return result;
      this.recordNotExecuted(callee.qualified, opcode, offset);
      const opaque = new Opaque(`result of calling ${callee.qualified}`, offset);
      opaque.imports.add(callee.qualified);
      absorb(opaque, args);
      return opaque;
    }
    const what = callee instanceof Opaque ? callee.what : describeKind(callee);
    this.recordNotExecuted(`(a call of ${what})`, opcode, offset);
    const opaque = new Opaque(`result of calling ${what}`, offset);
    absorb(opaque, [callee, ...args]);
    return opaque;
  }

  private build(inst: Value, state: Value, offset: number): void {
    if (inst instanceof PyDict) {
      inst.attributes = state;
      return;
    }
    if (inst instanceof Tensor) {
      inst.tampered = 'the pickle changes the tensor after building it (BUILD), which is not interpreted';
      return;
    }
    if (inst instanceof Opaque) {
      absorb(inst, [state]);
      return;
    }
    if (inst instanceof Global) {
      this.recordNotExecuted(`(attributes set on ${inst.qualified})`, 'BUILD', offset);
      return;
    }
    this.fail(`BUILD on ${describeKind(inst)}, which the loader cannot do`);
  }

  private extend(target: Value, items: Value[], opcode: string, offset: number): void {
    if (target instanceof PyList) {
      target.items.push(...this.count(items));
      return;
    }
    if (target instanceof Opaque) {
      this.recordNotExecuted(`(items added to ${target.what})`, opcode, offset);
      absorb(target, items);
      return;
    }
    this.fail(`${opcode} on ${describeKind(target)}, which the loader cannot do`);
  }

  private setItems(target: Value, items: Value[], opcode: string, offset: number): void {
    if (target instanceof PyDict) {
      for (let i = 0; i < items.length; i += 2) {
        const key = this.guard(() => dictKey(items[i]));
        const existing = target.entries.get(key);
        if (existing) existing[1] = items[i + 1];
        else {
          this.count([items[i]]);
          target.entries.set(key, [items[i], items[i + 1]]);
        }
      }
      return;
    }
    if (target instanceof Opaque) {
      this.recordNotExecuted(`(items set on ${target.what})`, opcode, offset);
      absorb(target, items);
      return;
    }
    this.fail(`${opcode} on ${describeKind(target)}, which the loader cannot do`);
  }

  private recordNotExecuted(callee: string, opcode: string, offset: number): void {
    const seen = this.notExecuted.get(callee);
    if (seen) seen.count++;
    else if (this.notExecuted.size < 10_000)
      this.notExecuted.set(callee, { callee, opcode, offset, count: 1 });
  }

  private count(items: Value[]): Value[] {
    this.items += items.length;
    if (this.items > MAX_ITEMS) this.fail(`the pickle builds more than ${MAX_ITEMS} values`);
    return items;
  }

  // --- stack and memo ----------------------------------------------------------------------------------

  /** Pushes after the argument is evaluated (popMark replaces `this.stack`, so never `this.stack.push(f())`). */
  private push(v: Value): void {
    this.stack.push(v);
  }

  private pop(): Value {
    if (this.stack.length === 0) this.underflow();
    return this.stack.pop() as Value;
  }

  private top(): Value {
    if (this.stack.length === 0) this.underflow();
    return this.stack[this.stack.length - 1];
  }

  private popMark(): Value[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail('could not find MARK');
    this.stack = previous;
    return items;
  }

  private underflow(): never {
    this.fail('unpickling stack underflow');
  }

  private memoGet(key: number): Value {
    if (!this.memo.has(key)) this.fail(`memo key ${key} has never been stored into`);
    return this.memo.get(key) as Value;
  }

  /** The machine has bounded the memo and refused negative keys. */
  private memoPut(key: number): void {
    this.memo.set(key, this.top());
  }

  private int(text: string, base0 = true): number | bigint {
    return this.guard(() => pythonInt(text, base0));
  }

  private decode<T>(fn: (b: Uint8Array) => T, bytes: Uint8Array): T {
    return this.guard(() => fn(bytes));
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DecodeError) this.fail(`${this.r.opName()}: ${err.message}`);
      if (err instanceof ConvertError && err.offset === undefined) {
        throw new ConvertError(err.message, this.r.start);
      }
      throw err;
    }
  }

  private fail(message: string): never {
    return this.r.fail(message);
  }
}

function encodeLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function describeKind(v: Value): string {
  if (v === null) return 'None';
  if (typeof v !== 'object') return typeof v;
  return v.kind;
}

/** Records what an opaque object holds: the imports it was made from and the tensors it swallowed. */
export function absorb(target: Opaque, values: readonly Value[]): void {
  const seen = new Set<object>();
  const queue: Value[] = [...values];
  let budget = ABSORB_BUDGET;
  while (queue.length > 0 && budget-- > 0) {
    const v = queue.pop() as Value;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Global) target.imports.add(v.qualified);
    else if (v instanceof Opaque) {
      if (v === target) continue;
      for (const name of v.imports) target.imports.add(name);
      target.tensors += v.tensors;
    } else if (v instanceof Tensor) target.tensors++;
    else if (v instanceof PyDict) {
      for (const [k, val] of v.entries.values()) queue.push(k, val);
      if (v.attributes !== undefined) queue.push(v.attributes);
    } else if (v instanceof PyList || v instanceof PyTuple || v instanceof PySet) queue.push(...v.items);
  }
}
