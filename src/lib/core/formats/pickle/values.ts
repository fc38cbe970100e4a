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
  readonly ref: Ref;
  disassembly: import('../../findings').DisassemblyLine[] = [];

  constructor(
    readonly kind: 'static' | 'dynamic' | 'extension',
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
    readonly entries: Map<string, Val> | null = null
  ) {}
}

/** A value whose content is not tracked (float, bytes, a string too long to copy, a persistent id …). */
export class Opaque {
  readonly refs = null;
  constructor(readonly kind: string) {}
}

export type Literal = null | boolean | number | bigint | string | Literal[];
export type Val = null | boolean | number | bigint | string | Ref | Made | Box | Opaque;

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
