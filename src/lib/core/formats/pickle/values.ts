import type { ImportClass } from './policy';

/** One distinct import (module, name as the loader resolves them) and everything the stream did with it. */
export class ImportRecord {
  count = 0;
  /** Called through REDUCE/INST/OBJ/NEWOBJ/NEWOBJ_EX, or its instance's __setstate__ through BUILD. */
  called = false;
  /** Handed to some other call as an argument or state, so it may be called by that callee. */
  passed = false;
  callOffset = -1;
  callOpcode = '';
  calls = 0;
  /** Calls whose effect was resolved from literal arguments (getattr(module, "name"), add_extension …). */
  resolvedCalls = 0;
  /** The first call's arguments as Python would print them, for messages: posix.system("id"). */
  firstArgs: string | null = null;
  /** APPEND(S)/SETITEM(S)/ADDITEMS/BUILD applied to the imported object itself. */
  mutations: Mutation[] = [];
  /** Set when the import came through EXT1/2/4 after the stream registered it with copyreg. */
  viaExtension?: number;
  /** For kind 'payload': the embedded pickle and what it would do. */
  stage?: import('./hidden').HiddenStage;
  /** For kind 'payload': the callable this stream hands it to that decodes or unpickles it. */
  decodedBy?: string;
  readonly ref: Ref;
  disassembly: import('../../findings').DisassemblyLine[] = [];

  constructor(
    readonly kind: 'static' | 'dynamic' | 'extension' | 'payload',
    readonly module: string,
    readonly name: string,
    /** What the file wrote before fix_imports mapping (differs for Python 2 names). */
    readonly written: string,
    readonly cls: ImportClass,
    readonly offset: number,
    readonly opcode: string
  ) {
    this.ref = new Ref(this);
  }
}

export interface Mutation {
  opcode: string;
  offset: number;
  /** The items added (or key, value pairs set), rendered as Python would print them, a few at most. */
  items: string[];
}

/** Every symbolic value that is an object carries `refs`: the imports it (transitively) contains. */
export class Ref {
  readonly refs: ImportRecord[];
  constructor(readonly rec: ImportRecord) {
    this.refs = [rec];
  }
}

/** The result of a call: an object of unknown type. */
export class Made {
  constructor(
    readonly origin: ImportRecord | null,
    public refs: ImportRecord[] | null,
    /** The call's arguments when they were a tuple of literals (e.g. numpy.dtype('f8', False, True)). */
    readonly args: Literal[] | null = null
  ) {}
}

/** A list, dict, set or tuple. Tuples of a few literals keep their items (for the legacy PyTorch header). */
export class Box {
  constructor(
    public refs: ImportRecord[] | null,
    readonly items: Literal[] | null = null,
    /** A small dict's string-keyed entries (for joblib's array wrapper state); null when not tracked. */
    readonly entries: Map<string, Val> | null = null,
    /** A short tuple's items as values (literal or not), for calls resolved from their arguments. */
    readonly values: Val[] | null = null
  ) {}
}

/** Bytes or text that hold a hidden pickle: the payload record travels with the value. */
export class Carrier {
  constructor(
    readonly kind: 'bytes' | 'str',
    public refs: ImportRecord[]
  ) {}
}

/** A value whose content is not tracked (float, bytes, a string too long to copy, a persistent id …). */
export class Opaque {
  readonly refs = null;
  constructor(readonly kind: string) {}
}

export type Literal = null | boolean | number | bigint | string | Literal[];
export type Val = null | boolean | number | bigint | string | Ref | Made | Box | Opaque | Carrier;

export const FLOAT = new Opaque('float');
export const BYTES = new Opaque('bytes');
export const BIG_STR = new Opaque('str');
export const BIG_INT = new Opaque('int');
export const PERSISTENT = new Opaque('persistent object');
export const BUFFER = new Opaque('buffer');

const MAX_REFS = 32;

export function refsOf(v: Val): ImportRecord[] | null {
  return typeof v === 'object' && v !== null ? v.refs : null;
}

export function mergeRefs(into: ImportRecord[] | null, add: ImportRecord[] | null): ImportRecord[] | null {
  if (add === null || add.length === 0) return into;
  if (into === null) return add.slice(0, MAX_REFS);
  for (const r of add) {
    if (into.length >= MAX_REFS) break;
    if (!into.includes(r)) into.push(r);
  }
  return into;
}

export function isLiteral(v: Val): v is null | boolean | number | bigint | string {
  return v === null || typeof v !== 'object';
}

/**
 * How bad an import is given what the stream does with it: a critical capability only imported (never
 * called or handed to a call) is high; a resolver whose every call was resolved from literal arguments
 * (getattr(module, "name")) is judged by what it resolved to, so it is no more than outside the safe set.
 */
export function effectiveLevel(rec: ImportRecord): import('./policy').ImportLevel {
  const used = rec.called || rec.passed;
  if (rec.kind === 'dynamic') return used ? 'critical' : 'high';
  if (rec.calls > 0 && rec.calls === rec.resolvedCalls && !rec.passed) {
    return rec.cls.level === 'safe' ? 'safe' : 'unknown';
  }
  if (rec.cls.level === 'critical') return used ? 'critical' : 'high';
  return rec.cls.level;
}
