import type { JoblibArrayWrapper } from '../joblib/array-layout';
import { Box, Made, type Literal, type Val } from './values';

const MAX_ENTRIES = 32;

/** Keeps the string-keyed entries of a small dict (SETITEM/SETITEMS), so BUILD can read joblib's state. */
export function rememberEntry(target: Val, key: Val, value: Val): void {
  if (!(target instanceof Box) || target.entries === null || typeof key !== 'string') return;
  if (target.entries.size < MAX_ENTRIES || target.entries.has(key)) target.entries.set(key, value);
}

/**
 * numpy dtype strings as joblib pickles them: numpy.dtype('f8'), ('<U5'), ('O8'), ('M8') … Structured 'V'
 * dtypes are refused: their fields (kept in the dtype's own BUILD state) may hold objects, which joblib
 * writes as a nested pickle, so sizing them as raw bytes could step over a payload.
 */
function itemSizeOf(dtype: string): { itemSize: number; hasObject: boolean } | undefined {
  const m = /^[<>|=]?([a-zA-Z])(\d*)$/.exec(dtype);
  if (!m) return undefined;
  const [, kind, digits] = m;
  const n = digits === '' ? undefined : Number(digits);
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
  const spec =
    dtype instanceof Made && typeof dtype.args?.[0] === 'string' ? itemSizeOf(dtype.args[0]) : undefined;
  if (!spec) return { invalid: 'the array dtype is not one Safeload can size' };
  return {
    shape: shape,
    itemSize: spec.itemSize,
    hasObject: spec.hasObject,
    alignmentBytes: entries.has('numpy_array_alignment_bytes') ? 16 : undefined
  };
}
