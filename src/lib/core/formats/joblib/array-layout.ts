/**
 * How joblib's NumpyUnpickler lays out an array after the BUILD of a NumpyArrayWrapper (joblib >= 0.10,
 * numpy_pickle.py read_array): for object dtypes a whole nested pickle follows; otherwise, when the wrapper
 * has `numpy_array_alignment_bytes` (joblib >= 1.2), one byte giving a padding length and that many padding
 * bytes, then exactly prod(shape) * itemsize raw bytes. The pickle stream resumes right after them.
 */
export interface JoblibArrayWrapper {
  shape: readonly number[];
  itemSize: number;
  hasObject: boolean;
  /** Present (usually 16) for joblib >= 1.2 files, absent for older ones. */
  alignmentBytes?: number;
}

export type ArraySpan =
  | { kind: 'nested-pickle'; start: number }
  | { kind: 'raw'; start: number; dataStart: number; end: number }
  | { kind: 'invalid'; reason: string };

/** `padByte` is the byte at `afterBuild` (only read when the wrapper has an alignment). */
export function joblibArraySpan(
  w: JoblibArrayWrapper,
  afterBuild: number,
  padByte: number | undefined
): ArraySpan {
  if (w.hasObject) return { kind: 'nested-pickle', start: afterBuild };
  let count = 1;
  for (const d of w.shape) {
    if (!Number.isSafeInteger(d) || d < 0) return { kind: 'invalid', reason: `bad dimension ${d}` };
    count *= d;
  }
  const bytes = count * w.itemSize;
  if (!Number.isSafeInteger(bytes)) return { kind: 'invalid', reason: 'array size overflows' };
  let dataStart = afterBuild;
  if (w.alignmentBytes !== undefined) {
    if (padByte === undefined) return { kind: 'invalid', reason: 'missing padding byte' };
    dataStart += 1 + padByte;
  }
  return { kind: 'raw', start: afterBuild, dataStart, end: dataStart + bytes };
}
