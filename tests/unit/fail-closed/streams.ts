/**
 * Hostile pickle streams for the fail-closed generative test: payloads (what loading runs) and prefix forms
 * (what comes before them so that a sniff, a probe or a bound misses them). Every stream is built opcode by
 * opcode; a prefix leaves the unpickler's stack as it found it, so prefix + payload + STOP is what CPython
 * would load and run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concat as concatBytes } from '../../../src/lib/core/formats/compressed/bounded';
import { OPCODES } from '../../../src/lib/core/formats/pickle/opcodes';
import { PickleBuilder } from '../pickle-builder';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/fail-closed');
const PROBE = 64 * 1024;
const WINDOW = 1 << 20;

const enc = new TextEncoder();
const b = () => new PickleBuilder();

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(
    parts,
    parts.reduce((n, p) => n + p.length, 0)
  );
}

function repeat(unit: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(unit.length * times);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
  return out;
}

export interface Payload {
  name: string;
  /** Opcodes that leave exactly one item (STOP follows), or a complete pickle (`complete`). */
  bytes: Uint8Array;
  complete?: boolean;
}

/** Loading runs something (call), hands out a dangerous callable (import-only) or patches a module (mutation). */
const BUILT: Payload[] = [
  { name: 'call GLOBAL+REDUCE (p0)', bytes: enc.encode("cos\nsystem\n(S'echo pwned'\ntR") },
  {
    name: 'call STACK_GLOBAL (p4)',
    bytes: b()
      .shortUnicode('os')
      .shortUnicode('system')
      .op('STACK_GLOBAL')
      .shortUnicode('id')
      .op('TUPLE1')
      .op('REDUCE')
      .bytes()
  },
  { name: 'call INST (p0)', bytes: enc.encode("(S'id'\nios\nsystem\n") },
  { name: 'call OBJ (p1)', bytes: enc.encode("(cos\nsystem\nS'id'\no") },
  {
    name: 'call NEWOBJ (p2)',
    bytes: b().global('subprocess', 'Popen').raw("(S'id'\nt").op('NEWOBJ').bytes()
  },
  { name: 'import-only builtins.eval', bytes: b().global('builtins', 'eval').bytes() },
  {
    name: 'mutation BUILD on a module',
    bytes: b()
      .global('os', 'path')
      .op('EMPTY_DICT')
      .unicode('sep')
      .unicode('x')
      .op('SETITEM')
      .op('BUILD')
      .bytes()
  }
];

/** What CPython, torch and joblib wrote (tests/fixtures/make_fail_closed_fixtures.py): whole pickles. */
export const GENUINE: Payload[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pkl'))
  .sort()
  .map((f) => ({
    name: `genuine ${f}`,
    bytes: new Uint8Array(readFileSync(join(FIXTURES, f))),
    complete: true
  }));

export const PAYLOADS: Payload[] = [...BUILT, ...GENUINE];

/** The payload as a whole stream after `prefix`. */
export function stream(prefix: Uint8Array, payload: Payload): Uint8Array {
  return payload.complete ? concat(prefix, payload.bytes) : concat(prefix, payload.bytes, enc.encode('.'));
}

export interface Prefix {
  name: string;
  bytes: Uint8Array;
  /** Bytes at the start that form complete pickles of their own (a cut there leaves a valid, benign file). */
  benignPickles?: number;
  /** Fills the memo: a whole pickle after it would find its MEMOIZE keys shifted, so only built payloads follow. */
  usesMemo?: boolean;
}

/** Whether prefix + payload is a stream CPython would load as written. */
export function loadable(prefix: Prefix, payload: Payload): boolean {
  return !(prefix.usesMemo && payload.complete);
}

// --- long first operands ------------------------------------------------------------------------------

type LengthOp = { op: number; name: string; header: (n: number) => number[]; max: number };

const u32 = (n: number) => b().u32(n);
const u64 = (n: number) => b().u64(n);
const LENGTH_OPS: LengthOp[] = [
  { op: 0x42, name: 'BINBYTES', header: u32, max: Infinity },
  { op: 0x58, name: 'BINUNICODE', header: u32, max: Infinity },
  { op: 0x54, name: 'BINSTRING', header: u32, max: Infinity },
  { op: 0x8e, name: 'BINBYTES8', header: u64, max: Infinity },
  { op: 0x8d, name: 'BINUNICODE8', header: u64, max: Infinity },
  { op: 0x96, name: 'BYTEARRAY8', header: u64, max: Infinity },
  { op: 0x43, name: 'SHORT_BINBYTES', header: (n) => [n], max: 255 },
  { op: 0x55, name: 'SHORT_BINSTRING', header: (n) => [n], max: 255 },
  { op: 0x8c, name: 'SHORT_BINUNICODE', header: (n) => [n], max: 255 }
];

/** Operand lengths around every size a scanner might read first: the 64 KiB probe and the 1 MiB window. */
function lengthClasses(headerBytes: number): number[] {
  const edges = [PROBE, WINDOW, WINDOW + PROBE];
  const around = edges.flatMap((e) => [e - 1 - headerBytes, e - headerBytes, e + 1 - headerBytes, e + 1]);
  return [0, 1, 200, 255, 256, 4096, ...around];
}

function longOperands(): Prefix[] {
  const out: Prefix[] = [];
  for (const op of LENGTH_OPS) {
    const headerBytes = 1 + op.header(0).length;
    for (const n of lengthClasses(headerBytes).filter((n) => n >= 0 && n <= op.max)) {
      out.push({
        name: `${op.name} of ${n} bytes, POP`,
        bytes: concat(Uint8Array.of(op.op, ...op.header(n)), new Uint8Array(n).fill(0x61), enc.encode('0'))
      });
    }
  }
  for (const n of [PROBE - 3, PROBE, WINDOW + 1]) {
    out.push({ name: `UNICODE line of ${n} bytes, POP`, bytes: enc.encode(`V${'a'.repeat(n)}\n0`) });
    out.push({ name: `STRING line of ${n} bytes, POP`, bytes: enc.encode(`S'${'a'.repeat(n)}'\n0`) });
  }
  out.push({
    name: 'PROTO 4 then BINBYTES past the probe, POP',
    bytes: concat(Uint8Array.of(0x80, 4, 0x42, ...u32(PROBE * 2)), new Uint8Array(PROBE * 2), enc.encode('0'))
  });
  return out;
}

// --- every opcode as the first one ----------------------------------------------------------------------

/** A valid operand for each line opcode that can start a stream. */
const LINE_OPERANDS: Record<string, string> = {
  INT: '1\n',
  LONG: '1L\n',
  FLOAT: '1.5\n',
  STRING: "'a'\n",
  UNICODE: 'a\n',
  GLOBAL: 'collections\nOrderedDict\n'
};

/** Opcodes a loadable stream cannot start with, and why (the loader fails at once). */
export const CANNOT_START: Record<string, string> = {
  STOP: 'pops the result from an empty stack',
  POP: 'needs an item',
  DUP: 'needs an item',
  REDUCE: 'needs a callable and arguments',
  BUILD: 'needs an object and its state',
  APPEND: 'needs a list and an item',
  SETITEM: 'needs a dict, a key and a value',
  TUPLE1: 'needs an item',
  TUPLE2: 'needs items',
  TUPLE3: 'needs items',
  NEWOBJ: 'needs a class and arguments',
  NEWOBJ_EX: 'needs a class and arguments',
  STACK_GLOBAL: 'needs two strings',
  BINPERSID: 'needs an id (and persistent_load)',
  PERSID: 'needs persistent_load: pickle.load refuses it, torch.load rejects a bare string id',
  MEMOIZE: 'needs an item',
  PUT: 'needs an item',
  BINPUT: 'needs an item',
  LONG_BINPUT: 'needs an item',
  GET: 'the memo is empty',
  BINGET: 'the memo is empty',
  LONG_BINGET: 'the memo is empty',
  APPENDS: 'needs a MARK',
  SETITEMS: 'needs a MARK',
  ADDITEMS: 'needs a MARK',
  DICT: 'needs a MARK',
  LIST: 'needs a MARK',
  TUPLE: 'needs a MARK',
  FROZENSET: 'needs a MARK',
  POP_MARK: 'needs a MARK',
  INST: 'needs a MARK',
  OBJ: 'needs a MARK',
  EXT1: 'the copyreg extension registry is empty unless the loading program fills it',
  EXT2: 'the copyreg extension registry is empty unless the loading program fills it',
  EXT4: 'the copyreg extension registry is empty unless the loading program fills it',
  NEXT_BUFFER: 'needs out-of-band buffers (pickle.loads(..., buffers=…))',
  READONLY_BUFFER: 'needs an item'
};

/** The opcode with a valid operand, then what returns the stack to where it was. */
function firstOpcode(code: number, name: string, arg: string): Uint8Array | undefined {
  const op = [code];
  switch (arg) {
    case 'none':
      break;
    case 'u1':
      op.push(name === 'PROTO' ? 4 : 7);
      break;
    case 'u2':
      op.push(7, 0);
      break;
    case 'u4':
    case 'i4':
      op.push(7, 0, 0, 0);
      break;
    case 'f8be':
      op.push(0x3f, 0xf0, 0, 0, 0, 0, 0, 0);
      break;
    case 'u8':
      op.push(...u64(0));
      break;
    case 'len1':
      op.push(1, 0x61);
      break;
    case 'len4':
    case 'slen4':
      op.push(...u32(1), 0x61);
      break;
    case 'len8':
      op.push(...u64(1), 0x61);
      break;
    case 'line':
    case 'line2':
      if (!(name in LINE_OPERANDS)) return undefined;
      op.push(...enc.encode(LINE_OPERANDS[name]));
      break;
  }
  if (name === 'PROTO' || name === 'FRAME') return Uint8Array.from(op);
  if (name === 'MARK') return Uint8Array.of(...op, 0x31); // POP_MARK
  return Uint8Array.of(...op, 0x30); // POP
}

export function firstOpcodes(): { prefixes: Prefix[]; started: Set<string> } {
  const prefixes: Prefix[] = [];
  const started = new Set<string>();
  for (const info of OPCODES) {
    if (!info || info.name in CANNOT_START) continue;
    const bytes = firstOpcode(info.code, info.name, info.arg);
    if (!bytes) continue;
    started.add(info.name);
    prefixes.push({ name: `first opcode ${info.name}`, bytes });
  }
  return { prefixes, started };
}

// --- framing, protocols, padding, stacked pickles -----------------------------------------------------

function framing(): Prefix[] {
  const inner = enc.encode('N0N0');
  return [
    {
      name: 'PROTO 4, FRAME over the prefix',
      bytes: concat(Uint8Array.of(0x80, 4, 0x95, ...u64(inner.length)), inner)
    },
    {
      name: 'PROTO 4, many one-opcode frames',
      bytes: concat(...Array.from({ length: 200 }, () => Uint8Array.of(0x95, ...u64(2), 0x4e, 0x30)))
    },
    {
      name: 'FRAME straddled by a long operand',
      bytes: concat(
        Uint8Array.of(0x80, 4, 0x95, ...u64(3), 0x42, ...u32(8)),
        new Uint8Array(8),
        enc.encode('0')
      )
    },
    { name: 'FRAME of zero bytes', bytes: Uint8Array.of(0x80, 5, 0x95, ...u64(0)) }
  ];
}

function protocols(): Prefix[] {
  return [0, 1, 2, 3, 4, 5].map((p) => ({ name: `PROTO ${p}`, bytes: Uint8Array.of(0x80, p) }));
}

function padding(): Prefix[] {
  return [
    { name: '100,001 NONE left on the stack', bytes: new Uint8Array(100_001).fill(0x4e) },
    { name: '1,000,000 NONE POP pairs', bytes: repeat(enc.encode('N0'), 1_000_000) },
    { name: '200,000 MARK POP_MARK pairs', bytes: repeat(enc.encode('(1'), 200_000) },
    { name: '100,000 nested MARKs', bytes: new Uint8Array(100_000).fill(0x28) },
    { name: '100,000 PROTO 2', bytes: repeat(Uint8Array.of(0x80, 2), 100_000) },
    {
      name: '100,000 memoised NONEs popped',
      bytes: concat(Uint8Array.of(0x80, 4), repeat(Uint8Array.of(0x4e, 0x94, 0x30), 100_000)),
      usesMemo: true
    },
    { name: '70,000 spaces in a STRING … POP', bytes: enc.encode(`S'${' '.repeat(70_000)}'\n0`) }
  ];
}

function stacked(): Prefix[] {
  const benign = enc.encode('N.');
  return [1, 64, 65, 1000].map((n) => ({
    name: `${n} benign pickle(s) before`,
    bytes: repeat(benign, n),
    benignPickles: benign.length * n
  }));
}

/** Every prefix form, each tried with every payload. */
export function prefixForms(): Prefix[] {
  return [
    { name: 'no prefix', bytes: new Uint8Array(0) },
    ...longOperands(),
    ...firstOpcodes().prefixes,
    ...framing(),
    ...protocols(),
    ...padding(),
    ...stacked()
  ];
}
