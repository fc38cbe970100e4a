import type { PlannedTensor } from './plan';
import { readRange } from './storage-data';

/**
 * Writes a non-contiguous tensor in C order. The output is cut into pieces of about `chunkSize`; each
 * innermost contiguous run is copied from a window of the storage held in memory ('window') or read
 * straight from the input ('runs', only when runs are long).
 */
export async function* gatherTensor(
  t: PlannedTensor,
  chunkSize: number,
  signal?: AbortSignal
): AsyncGenerator<Uint8Array> {
  const { shape, stride, itemSize } = t;
  if (t.byteLength === 0) return;
  let runElems = 1;
  let inner = shape.length;
  while (inner > 0 && (shape[inner - 1] === 1 || stride[inner - 1] === runElems)) {
    runElems *= shape[inner - 1];
    inner--;
  }
  const runLength = runElems * itemSize;
  const outer = shape.slice(0, inner);
  const outerStride = stride.slice(0, inner);
  let window: Uint8Array | undefined;
  if (t.mode === 'window') {
    let span = 1;
    for (let i = 0; i < shape.length; i++) span += (shape[i] - 1) * stride[i];
    window = await readRange(t.storage, t.byteStart, t.byteStart + span * itemSize, signal);
  }
  const perChunk = Math.max(1, Math.floor(chunkSize / runLength));
  let out = new Uint8Array(Math.min(t.byteLength, perChunk * runLength));
  let used = 0;
  for (const element of odometer(outer, outerStride)) {
    const from = element * itemSize + (window ? 0 : t.byteStart);
    const run = window
      ? window.subarray(from, from + runLength)
      : await t.storage.random!.read(from, runLength);
    if (runLength <= 16) for (let b = 0; b < runLength; b++) out[used + b] = run[b];
    else out.set(run, used);
    used += runLength;
    if (used + runLength > out.length) {
      yield out.subarray(0, used);
      out = new Uint8Array(Math.min(out.length, t.byteLength));
      used = 0;
    }
  }
  if (used > 0) yield out.subarray(0, used);
}

/** Element offsets of each outer index in C order (one per innermost run). */
function* odometer(shape: readonly number[], stride: readonly number[]): Generator<number> {
  if (shape.some((d) => d === 0)) return;
  const index = new Array<number>(shape.length).fill(0);
  let offset = 0;
  for (;;) {
    yield offset;
    let d = shape.length - 1;
    while (d >= 0) {
      index[d]++;
      offset += stride[d];
      if (index[d] < shape[d]) break;
      offset -= stride[d] * shape[d];
      index[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}
