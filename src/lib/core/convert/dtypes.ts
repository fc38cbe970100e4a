import type { TorchDtype } from './values';

/** [canonical torch name, aliases, bytes per element, safetensors dtype or undefined]. */
const TABLE: [string, string[], number, string | undefined][] = [
  ['float64', ['double'], 8, 'F64'],
  ['float32', ['float'], 4, 'F32'],
  ['float16', ['half'], 2, 'F16'],
  ['bfloat16', [], 2, 'BF16'],
  ['int64', ['long'], 8, 'I64'],
  ['int32', ['int'], 4, 'I32'],
  ['int16', ['short'], 2, 'I16'],
  ['int8', [], 1, 'I8'],
  ['uint8', [], 1, 'U8'],
  ['uint16', [], 2, 'U16'],
  ['uint32', [], 4, 'U32'],
  ['uint64', [], 8, 'U64'],
  ['bool', [], 1, 'BOOL'],
  ['complex64', ['cfloat'], 8, 'C64'],
  ['complex128', ['cdouble'], 16, undefined],
  ['complex32', ['chalf'], 4, undefined],
  ['float8_e5m2', [], 1, 'F8_E5M2'],
  ['float8_e4m3fn', [], 1, 'F8_E4M3'],
  ['float8_e8m0fnu', [], 1, 'F8_E8M0'],
  ['float8_e5m2fnuz', [], 1, undefined],
  ['float8_e4m3fnuz', [], 1, undefined],
  ['float4_e2m1fn_x2', [], 1, undefined],
  ['qint8', [], 1, undefined],
  ['quint8', [], 1, undefined],
  ['qint32', [], 4, undefined],
  ['quint4x2', [], 1, undefined],
  ['quint2x4', [], 1, undefined],
  ['bits8', [], 1, undefined],
  ['bits16', [], 2, undefined],
  ['bits1x8', [], 1, undefined],
  ['bits2x4', [], 1, undefined],
  ['bits4x2', [], 1, undefined]
];

const BY_NAME = new Map<string, TorchDtype>();
for (const [name, aliases, itemSize, safetensors] of TABLE) {
  const dtype: TorchDtype = { kind: 'dtype', name, itemSize, safetensors };
  for (const n of [name, ...aliases]) BY_NAME.set(n, dtype);
}

/** `torch.<name>` as a dtype global, or undefined when it is not a dtype. */
export function torchDtype(name: string): TorchDtype | undefined {
  return BY_NAME.get(name);
}

/** The legacy typed storage classes torch pickles in persistent ids (torch.storage._dtype_to_storage_type_map). */
const STORAGE_CLASSES: Record<string, string> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  BFloat16Storage: 'bfloat16',
  ComplexDoubleStorage: 'complex128',
  ComplexFloatStorage: 'complex64',
  QInt8Storage: 'qint8',
  QInt32Storage: 'qint32',
  QUInt8Storage: 'quint8',
  QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4',
  UntypedStorage: 'uint8'
};

/** Modules the storage classes are pickled from (torch.cuda: checkpoints saved from GPU before torch 1.6). */
const STORAGE_MODULES = new Set(['torch', 'torch.storage', 'torch.cuda']);

/** The element type of a storage class named in a persistent id, or undefined when it is not one. */
export function storageClassDtype(module: string, name: string): TorchDtype | undefined {
  if (!STORAGE_MODULES.has(module) || !Object.hasOwn(STORAGE_CLASSES, name)) return undefined;
  return BY_NAME.get(STORAGE_CLASSES[name]);
}

/** NumPy `descr` (byte order, kind, size) → torch dtype; big-endian and native-order ('=') descrs are not mapped. */
export function numpyDtype(descr: string): TorchDtype | undefined {
  const m = /^([<|]?)([biufc?])(\d*)$/.exec(descr);
  if (!m) return undefined;
  const [, , kind, digits] = m;
  const size = digits === '' ? (kind === '?' ? 1 : NaN) : Number(digits);
  const name: Record<string, Record<number, string>> = {
    b: { 1: 'bool' },
    '?': { 1: 'bool' },
    i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
    u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
    f: { 2: 'float16', 4: 'float32', 8: 'float64' },
    c: { 8: 'complex64', 16: 'complex128' }
  };
  const torchName = name[kind]?.[size];
  return torchName === undefined ? undefined : BY_NAME.get(torchName);
}
