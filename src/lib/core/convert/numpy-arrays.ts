import type { ByteSource } from '../bytes/byte-source';
import { describeDtype } from '../formats/numpy/dtype';
import {
  LiteralError,
  parsePyLiteral,
  PyDict as NpyDict,
  PyTuple as NpyTuple
} from '../formats/numpy/py-literal';
import { numpyDtype } from './dtypes';
import { ConvertError } from './errors';
import { stemOf, type ExtractOptions, type Extraction } from './extraction';
import type { DroppedItem, NamedTensor, Refusal } from './state-dict';
import { readRange, storedStorage, type StorageData } from './storage-data';
import { Tensor } from './values';
import type { ZipMembers } from './zip-members';

const MAX_HEADER = 1024 * 1024;

type ArrayResult = { tensor: NamedTensor } | { dropped: DroppedItem } | { refused: Refusal };

/** Reads one .npy (a file or an npz member) as a tensor over its data, without reading the data. */
async function readArray(name: string, data: StorageData, signal?: AbortSignal): Promise<ArrayResult> {
  const pre = await readRange(data, 0, Math.min(data.size, 12), signal);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (pre.length < 10 || !magic.every((b, i) => pre[i] === b)) {
    return { dropped: { path: name, what: 'a member that is not a .npy array', imports: [], tensors: 0 } };
  }
  const major = pre[6];
  if (major < 1 || major > 3) throw new ConvertError(`${name}: unknown .npy format version ${major}`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength =
    major === 1 ? pre[8] | (pre[9] << 8) : (pre[8] | (pre[9] << 8) | (pre[10] << 16)) + pre[11] * 0x1000000;
  const start = 8 + lengthBytes;
  if (headerLength > MAX_HEADER || start + headerLength > data.size) {
    throw new ConvertError(`${name}: the .npy header is truncated or too large`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    await readRange(data, start, start + headerLength, signal)
  );
  let header;
  try {
    header = parsePyLiteral(text);
  } catch (err) {
    if (err instanceof LiteralError) throw new ConvertError(`${name}: the .npy header is not a literal`);
    throw err;
  }
  if (!(header instanceof NpyDict)) throw new ConvertError(`${name}: the .npy header is not a dict`);
  const descr = header.entries.get('descr');
  const fortran = header.entries.get('fortran_order');
  const shapeValue = header.entries.get('shape');
  if (descr === undefined || !(shapeValue instanceof NpyTuple) || typeof fortran !== 'boolean') {
    throw new ConvertError(`${name}: the .npy header lacks descr, shape or fortran_order`);
  }
  if (describeDtype(descr).hasObject) {
    return {
      dropped: {
        path: name,
        what: 'an array of Python objects (stored as a pickle; never unpickled)',
        imports: [],
        tensors: 0
      }
    };
  }
  const dtype = typeof descr === 'string' ? numpyDtype(descr) : undefined;
  if (!dtype) {
    return {
      refused: {
        name,
        reason: `NumPy dtype ${JSON.stringify(descr).slice(0, 60)} has no safetensors equivalent`
      }
    };
  }
  const shape = shapeValue.items.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ConvertError(`${name}: the .npy shape is not a tuple of sizes`);
    }
    return d;
  });
  const stride = contiguousStrides(fortran ? [...shape].reverse() : shape);
  if (fortran) stride.reverse();
  const dataStart = start + headerLength;
  const storage = {
    kind: 'storage' as const,
    key: name,
    dtype,
    nbytes: data.size - dataStart,
    viewOffsetBytes: dataStart
  };
  return { tensor: { name, tensor: new Tensor(storage, dtype, 0, shape, stride, false) } };
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = step;
    step *= Math.max(1, shape[i]);
  }
  return stride;
}

function extraction(format: 'npy' | 'npz'): Extraction {
  return {
    format,
    tensors: [],
    storages: new Map(),
    dropped: [],
    droppedNotListed: 0,
    notExecuted: [],
    refused: [],
    notes: []
  };
}

function add(out: Extraction, result: ArrayResult, key: string, data: StorageData): void {
  if ('tensor' in result) {
    out.tensors.push(result.tensor);
    out.storages.set(key, data);
  } else if ('dropped' in result) out.dropped.push(result.dropped);
  else out.refused.push(result.refused);
}

export async function extractNpy(src: ByteSource, options: ExtractOptions): Promise<Extraction> {
  const out = extraction('npy');
  const name = stemOf(src.name);
  const data = storedStorage(src, 0);
  const result = await readArray(name, data, options.signal);
  add(out, result, name, data);
  return out;
}

/** numpy.savez / savez_compressed: one `<name>.npy` member per array, stored or deflated. */
export async function extractNpz(zip: ZipMembers, options: ExtractOptions): Promise<Extraction> {
  const out = extraction('npz');
  for (const member of zip.names) {
    if (member.endsWith('/')) continue;
    if (!member.endsWith('.npy')) {
      out.dropped.push({ path: member, what: 'a member that is not a .npy array', imports: [], tensors: 0 });
      continue;
    }
    const name = member.slice(0, -4);
    const data = zip.storage(member);
    add(out, await readArray(name, data, options.signal), name, data);
  }
  return out;
}
