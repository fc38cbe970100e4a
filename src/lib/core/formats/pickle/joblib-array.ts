import type { JoblibArrayWrapper } from '../joblib/array-layout';
import { Box, Made, type Literal, type Val } from './values';

const MAX_ENTRIES = 32;

/** Keeps the string-keyed entries of a small dict (SETITEM/SETITEMS), so BUILD can read joblib's state. */
export function rememberEntry(target: Val, key: Val, value: Val): void {
  if (!(target instanceof Box) || target.entries === null || typeof key !== 'string') return;
  if (target.entries.size < MAX_ENTRIES || target.entries.has(key)) target.entries.set(key, value);
}

/** A numpy.dtype's pickled state: numpy.dtype.__setstate__ takes the flags and a void dtype's size from it. */
interface DtypeState {
  itemSize: number;
  /** NPY_ITEM_HASOBJECT: what `dtype.hasobject` (and so joblib's choice of a nested pickle) reads. */
  hasObject: boolean;
}

/** The items of tuples that may be a dtype's state: (3|4, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
const stateCandidates = new WeakMap<Box, Val[]>();
/** Dtypes the stream has given a state with BUILD; null when that state could not be read. */
const dtypeStates = new WeakMap<Made, DtypeState | null>();

export function rememberDtypeState(tuple: Box, items: Val[]): Box {
  if ((items.length === 8 || items.length === 9) && (items[0] === 3 || items[0] === 4)) {
    stateCandidates.set(tuple, items);
  }
  return tuple;
}

function isDtype(v: Val): v is Made {
  return v instanceof Made && v.origin?.name === 'dtype' && v.origin.module.startsWith('numpy');
}

/**
 * Records the state BUILD gives a numpy dtype. numpy trusts it: the flags decide `hasobject` even for 'f8',
 * and a void dtype's size comes from it, so a forged state turns "raw array bytes" into a nested pickle.
 */
export function noteDtypeBuild(inst: Val, state: Val): void {
  if (!isDtype(inst)) return;
  const items = state instanceof Box ? stateCandidates.get(state) : undefined;
  const [elsize, flags] = items ? [items[5], items[7]] : [];
  dtypeStates.set(
    inst,
    typeof elsize === 'number' && typeof flags === 'number'
      ? { itemSize: elsize, hasObject: (flags & 1) !== 0 }
      : null
  );
}

/**
 * numpy dtype strings as joblib pickles them: numpy.dtype('f8'), ('<U5'), ('O8'), ('M8'), ('V56') … A
 * structured 'V' dtype is sized only from a state the stream gave it (its fields may hold objects, which
 * joblib writes as a nested pickle); any dtype whose state says it holds objects is read as one.
 */
function itemSizeOf(dtype: Made): { itemSize: number; hasObject: boolean } | undefined {
  const text = dtype.args?.[0];
  const m = typeof text === 'string' ? /^[<>|=]?([a-zA-Z])(\d*)$/.exec(text) : null;
  if (!m) return undefined;
  const [, kind, digits] = m;
  const n = digits === '' ? undefined : Number(digits);
  const state = dtypeStates.get(dtype);
  if (state === null) return undefined;
  const base = plainItemSize(kind, n);
  if (kind === 'V') {
    if (!state || n === undefined) return undefined;
    const itemSize = state.itemSize > 0 ? state.itemSize : n;
    return { itemSize, hasObject: state.hasObject };
  }
  if (!base) return undefined;
  return state?.hasObject ? { ...base, hasObject: true } : base;
}

function plainItemSize(
  kind: string,
  n: number | undefined
): { itemSize: number; hasObject: boolean } | undefined {
  switch (kind) {
    case 'O':
      return { itemSize: 8, hasObject: true };
    case 'U':
      return n === undefined ? undefined : { itemSize: 4 * n, hasObject: false };
    case 'b':
    case '?':
      return { itemSize: n ?? 1, hasObject: false };
    case 'f':
    case 'i':
    case 'u':
    case 'c':
    case 'S':
    case 'a':
    case 'M':
    case 'm':
      return n === undefined ? undefined : { itemSize: n, hasObject: false };
    default:
      return undefined;
  }
}

export type JoblibArray = JoblibArrayWrapper | { invalid: string };

/**
 * When BUILD gives a joblib NumpyArrayWrapper its state, joblib's NumpyUnpickler reads the array's bytes
 * straight from the stream (numpy_pickle.py read_array): the pickle resumes after them. Returns what is
 * needed to step over them, or null when `inst` is not such a wrapper.
 */
export function joblibArrayAfterBuild(inst: Val, state: Val): JoblibArray | null {
  if (!(inst instanceof Made) || !inst.origin) return null;
  if (inst.origin.module !== 'joblib.numpy_pickle' || inst.origin.name !== 'NumpyArrayWrapper') return null;
  const entries = state instanceof Box ? state.entries : null;
  if (!entries) return { invalid: 'the array wrapper state is not a readable dict' };
  const shapeBox = entries.get('shape');
  const shape: Literal | null = shapeBox instanceof Box ? shapeBox.items : null;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) {
    return { invalid: 'the array shape is not a tuple of integers' };
  }
  const dtype = entries.get('dtype');
  const spec = dtype instanceof Made ? itemSizeOf(dtype) : undefined;
  if (!spec) return { invalid: 'the array dtype is not one Safeload can size' };
  return {
    shape: shape,
    itemSize: spec.itemSize,
    hasObject: spec.hasObject,
    alignmentBytes: entries.has('numpy_array_alignment_bytes') ? 16 : undefined
  };
}
