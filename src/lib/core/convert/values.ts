/**
 * The values the extraction interpreter builds. They mirror what Python's unpickler would hold, except that
 * nothing is ever imported or called: a call to anything outside the tensor rebuild functions becomes an
 * Opaque value that remembers what would have run.
 */

export type Int = number | bigint;

/** A storage as a persistent id names it: bytes in the container, typed by the storage class. */
export interface StorageRef {
  readonly kind: 'storage';
  /** Key in the container (zip record `data/<key>`, legacy storage key). */
  readonly key: string;
  /** Element type of the storage class (uint8 for UntypedStorage). */
  readonly dtype: TorchDtype;
  /** Size in bytes declared by the persistent id. */
  readonly nbytes: number;
  /** Legacy views: element offset into the root storage it views. */
  readonly viewOffsetBytes: number;
}

/** A torch dtype by its canonical name, with the safetensors dtype it maps to (if any). */
export interface TorchDtype {
  readonly kind: 'dtype';
  readonly name: string;
  readonly itemSize: number;
  /** undefined when safetensors has no equivalent (complex128, quantized, float8 *fnuz …). */
  readonly safetensors: string | undefined;
}

export class Tensor {
  readonly kind = 'tensor';
  /** Set when something in the stream changed the tensor after it was built (BUILD): it is not converted. */
  tampered: string | undefined;
  constructor(
    readonly storage: StorageRef,
    readonly dtype: TorchDtype,
    /** In elements of `dtype`. */
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly parameter: boolean
  ) {}
}

export class PyFloat {
  readonly kind = 'float';
  constructor(readonly value: number) {}
}

/** bytes/bytearray: only the length is kept (payloads are never needed to find tensors). */
export class PyBytes {
  readonly kind = 'bytes';
  constructor(readonly length: number) {}
}

/** A str operand longer than the copy limit: skipped by offset, never a usable name. */
export class LongText {
  readonly kind = 'long-text';
  constructor(readonly length: number) {}
}

export class PyTuple {
  readonly kind = 'tuple';
  constructor(readonly items: Value[]) {}
}

export class PyList {
  readonly kind = 'list';
  constructor(readonly items: Value[]) {}
}

export class PySet {
  readonly kind = 'set';
  constructor(readonly items: Value[]) {}
}

/** dict / OrderedDict: insertion-ordered, keyed the way Python hashes the keys we can reason about. */
export class PyDict {
  readonly kind = 'dict';
  readonly entries = new Map<string, [Value, Value]>();
  /** Attributes set by BUILD (an OrderedDict's `_metadata`). */
  attributes: Value | undefined;
  constructor(readonly ordered: boolean) {}
}

/** An imported name: GLOBAL / STACK_GLOBAL resolved as find_class would, but never imported. */
export class Global {
  readonly kind = 'global';
  constructor(
    readonly module: string,
    readonly name: string
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What a call to something we do not interpret would have produced. Never executed. */
export class Opaque {
  readonly kind = 'opaque';
  /** Everything imported in the callee, arguments and state that reached this object. */
  readonly imports = new Set<string>();
  /** Tensors (built by rebuild calls) that are held inside this object, so they are not converted. */
  tensors = 0;
  /** Set when the call builds a tensor of a kind that is not converted (quantized, sparse …). */
  tensorKind: string | undefined;
  constructor(
    /** Plain-language description, e.g. "result of calling argparse.Namespace". */
    readonly what: string,
    readonly offset: number
  ) {}
}

export type Value =
  | null
  | boolean
  | Int
  | string
  | PyFloat
  | PyBytes
  | LongText
  | PyTuple
  | PyList
  | PySet
  | PyDict
  | Global
  | Opaque
  | Tensor
  | StorageRef
  | TorchDtype;

/** A short description of a value for the report (never its full content). */
export function describe(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return `int ${String(v).slice(0, 40)}`;
  if (typeof v === 'string') return `str of ${v.length} characters`;
  if (v instanceof PyFloat) return `float ${v.value}`;
  if (v instanceof PyBytes) return `bytes of ${v.length} bytes`;
  if (v instanceof LongText) return `str of ${v.length} bytes`;
  if (v instanceof PyTuple) return `tuple of ${v.items.length} items`;
  if (v instanceof PyList) return `list of ${v.items.length} items`;
  if (v instanceof PySet) return `set of ${v.items.length} items`;
  if (v instanceof PyDict) return `${v.ordered ? 'OrderedDict' : 'dict'} of ${v.entries.size} entries`;
  if (v instanceof Global) return `reference to ${v.qualified}`;
  if (v instanceof Opaque) return v.what;
  if (v instanceof Tensor) return 'tensor';
  if (v.kind === 'storage') return 'storage';
  return `dtype ${v.name}`;
}
