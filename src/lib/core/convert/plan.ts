import { ConvertError } from './errors';
import type { Extraction } from './extraction';
import type { Refusal } from './state-dict';
import type { StorageData } from './storage-data';
import type { Tensor } from './values';

/** Non-contiguous tensors are gathered from a window of their storage held in memory, up to this span. */
export const GATHER_WINDOW = 256 * 1024 * 1024;
/** …or run by run straight from the input when each contiguous run is at least this long. */
const MIN_DIRECT_RUN = 64 * 1024;

export type GatherMode = 'copy' | 'window' | 'runs';

/** One tensor to write: where its bytes are in the input and how they are laid out there. */
export interface PlannedTensor {
  name: string;
  dtype: string;
  shape: number[];
  byteLength: number;
  storage: StorageData;
  /** Byte offset of element 0 in the storage. */
  byteStart: number;
  itemSize: number;
  /** Strides in elements (the tensor's own dtype). */
  stride: number[];
  mode: GatherMode;
  /** Which input file (folder mode) the bytes come from; tensors are written in input order. */
  input: number;
}

export interface Alias {
  name: string;
  keptAs: string;
}

export interface SharedCopy {
  name: string;
  sharesWith: string;
}

export interface ConversionPlan {
  tensors: PlannedTensor[];
  /** Names that denote exactly the same tensor as a written one (tied weights): not written again. */
  aliases: Alias[];
  /** Tensors that overlap another one in the same storage: each written as its own copy. */
  sharedCopies: SharedCopy[];
  /** Non-contiguous tensors, made contiguous while writing. */
  madeContiguous: string[];
  refused: Refusal[];
  totalBytes: number;
}

interface Candidate extends PlannedTensor {
  storageKey: string;
  /** Bytes [lo, hi) of the storage the tensor touches. */
  lo: number;
  hi: number;
}

function isCContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 0) return true;
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Bytes of each innermost contiguous run of a strided tensor. */
export function runBytes(shape: readonly number[], stride: readonly number[], itemSize: number): number {
  let run = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== run) break;
    run *= shape[i];
  }
  return run * itemSize;
}

function validateName(name: string): string | undefined {
  if (name === '' || name === '__metadata__')
    return `the name ${JSON.stringify(name)} is reserved in safetensors`;
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    return 'the name is not valid Unicode (a lone surrogate), which safetensors readers refuse';
  }
  return undefined;
}

function candidate(
  name: string,
  t: Tensor,
  storages: Map<string, StorageData>,
  input: number
): Candidate | Refusal {
  const refuse = (reason: string): Refusal => ({ name, reason });
  const bad = validateName(name);
  if (bad) return refuse(bad);
  if (!t.dtype.safetensors) return refuse(`dtype ${t.dtype.name} has no safetensors equivalent`);
  const storage = storages.get(t.storage.key);
  if (!storage) return refuse(`its storage ${JSON.stringify(t.storage.key.slice(0, 40))} has no data`);
  const itemSize = t.dtype.itemSize;
  let numel = 1;
  let maxIndex = t.offset;
  for (let i = 0; i < t.shape.length; i++) {
    numel *= t.shape[i];
    maxIndex += Math.max(0, t.shape[i] - 1) * t.stride[i];
  }
  if (!Number.isSafeInteger(numel * itemSize) || !Number.isSafeInteger((maxIndex + 1) * itemSize)) {
    return refuse('its size is out of range');
  }
  const byteLength = numel * itemSize;
  const byteStart = t.storage.viewOffsetBytes + t.offset * itemSize;
  const lo = byteStart;
  const hi = numel === 0 ? lo : t.storage.viewOffsetBytes + (maxIndex + 1) * itemSize;
  if (numel > 0 && (maxIndex + 1) * itemSize > t.storage.nbytes) {
    return refuse(
      `it reaches past the end of its storage (${hi} > ${t.storage.nbytes} bytes); torch.load refuses it`
    );
  }
  const contiguous = isCContiguous(t.shape, t.stride);
  let mode: GatherMode = 'copy';
  if (!contiguous) {
    if (hi - lo <= GATHER_WINDOW) mode = 'window';
    else if (storage.random && runBytes(t.shape, t.stride, itemSize) >= MIN_DIRECT_RUN) mode = 'runs';
    else {
      return refuse(
        `it is non-contiguous over ${hi - lo} bytes of its storage in runs of ${runBytes(t.shape, t.stride, itemSize)} bytes; gathering it would need more than ${GATHER_WINDOW} bytes of memory`
      );
    }
  }
  return {
    name,
    dtype: t.dtype.safetensors,
    shape: [...t.shape],
    byteLength,
    storage,
    byteStart,
    itemSize,
    stride: [...t.stride],
    mode,
    input,
    storageKey: `${input}/${t.storage.key}`,
    lo,
    hi
  };
}

function identity(c: Candidate): string {
  return `${c.storageKey}\n${c.byteStart}\n${c.dtype}\n${c.shape.join(',')}\n${c.stride.join(',')}`;
}

/**
 * Decides what gets written: validates every tensor against its storage, writes tied weights (the same
 * tensor under several names) once and records the other names as aliases, as safetensors' save_model
 * does, and orders tensors by where their bytes are in the input so it is read forward.
 */
export function planConversion(extractions: readonly Extraction[]): ConversionPlan {
  const plan: ConversionPlan = {
    tensors: [],
    aliases: [],
    sharedCopies: [],
    madeContiguous: [],
    refused: [],
    totalBytes: 0
  };
  const groups = new Map<string, Candidate[]>();
  const seen = new Set<string>();
  extractions.forEach((ex, input) => {
    plan.refused.push(...ex.refused);
    for (const { name, tensor } of ex.tensors) {
      if (seen.has(name)) {
        plan.refused.push({ name, reason: 'two input files hold a tensor of this name' });
        continue;
      }
      seen.add(name);
      const c = candidate(name, tensor, ex.storages, input);
      if (!('storage' in c)) {
        plan.refused.push(c);
        continue;
      }
      const key = identity(c);
      const group = groups.get(key);
      if (group) group.push(c);
      else groups.set(key, [c]);
    }
  });
  const written: Candidate[] = [];
  for (const group of groups.values()) {
    // The first name in the checkpoint's order is kept (the embedding, not the head tied to it).
    const kept = group[0];
    written.push(kept);
    for (const c of group) if (c !== kept) plan.aliases.push({ name: c.name, keptAs: kept.name });
  }
  plan.sharedCopies = findOverlaps(written);
  written.sort((a, b) => a.input - b.input || a.storage.order - b.storage.order || a.byteStart - b.byteStart);
  for (const c of written) {
    const { storageKey: _k, lo: _lo, hi: _hi, ...t } = c;
    plan.tensors.push(t);
    plan.totalBytes += t.byteLength;
    if (t.mode !== 'copy') plan.madeContiguous.push(t.name);
  }
  if (plan.tensors.length === 0 && plan.refused.length === 0) {
    throw new ConvertError('no tensors were found to convert');
  }
  return plan;
}

/** Written tensors whose bytes overlap another's in the same storage (views of one another). */
function findOverlaps(written: Candidate[]): SharedCopy[] {
  const out: SharedCopy[] = [];
  const byStorage = new Map<string, Candidate[]>();
  for (const c of written) {
    if (c.hi <= c.lo) continue;
    const list = byStorage.get(c.storageKey);
    if (list) list.push(c);
    else byStorage.set(c.storageKey, [c]);
  }
  for (const list of byStorage.values()) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.lo - b.lo || b.hi - a.hi);
    let widest = list[0];
    for (const c of list.slice(1)) {
      if (c.lo < widest.hi) out.push({ name: c.name, sharesWith: widest.name });
      if (c.hi > widest.hi) widest = c;
    }
  }
  return out;
}
