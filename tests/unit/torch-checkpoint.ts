import { zipSync, type Zippable } from 'fflate';
import { memorySource, type ByteSource } from '../../src/lib/core/bytes/byte-source';
import { PickleBuilder } from './pickle-builder';
import type { OutputTarget } from '../../src/lib/core/convert/convert';
import type { ByteSink } from '../../src/lib/core/convert/writer';

/** A tensor as torch pickles it: a rebuild call over a storage persistent id. For tests. */
export interface TensorSpec {
  storageClass?: string;
  key: string;
  /** Elements of the storage class (bytes for UntypedStorage). */
  numel: number;
  offset?: number;
  shape: number[];
  stride?: number[];
  /** torch dtype name: makes it a `_rebuild_tensor_v3` call (float8, uint16 … in torch ≥ 2.1). */
  v3Dtype?: string;
  parameter?: boolean;
  /** Legacy (torch < 1.6) persistent ids carry a sixth field, the view metadata (None here). */
  legacy?: boolean;
}

const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export function int(b: PickleBuilder, v: number): PickleBuilder {
  return b.raw(0x4a, ...u32(v));
}

function intTuple(b: PickleBuilder, values: number[]): void {
  b.op('MARK');
  for (const v of values) int(b, v);
  b.op('TUPLE');
}

function contiguous(shape: number[]): number[] {
  const out: number[] = [];
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out.unshift(step);
    step *= shape[i];
  }
  return out;
}

/** Writes the opcodes that rebuild one tensor (leaves the tensor on the stack). */
export function tensorOps(b: PickleBuilder, t: TensorSpec): PickleBuilder {
  if (t.parameter) b.global('torch._utils', '_rebuild_parameter').op('MARK');
  b.global('torch._utils', t.v3Dtype ? '_rebuild_tensor_v3' : '_rebuild_tensor_v2').op('MARK');
  b.op('MARK')
    .shortUnicode('storage')
    .global('torch', t.storageClass ?? 'FloatStorage');
  b.shortUnicode(t.key).shortUnicode('cpu');
  int(b, t.numel);
  if (t.legacy) b.op('NONE');
  b.op('TUPLE').op('BINPERSID');
  int(b, t.offset ?? 0);
  intTuple(b, t.shape);
  intTuple(b, t.stride ?? contiguous(t.shape));
  b.raw(0x89).global('collections', 'OrderedDict').op('EMPTY_TUPLE').op('REDUCE');
  if (t.v3Dtype) b.global('torch', t.v3Dtype);
  b.op('TUPLE').op('REDUCE');
  if (t.parameter)
    b.raw(0x89).global('collections', 'OrderedDict').op('EMPTY_TUPLE').op('REDUCE').op('TUPLE').op('REDUCE');
  return b;
}

/** A protocol-2 pickle of {name: value} where each value is written by its callback. */
export function dictPickle(entries: [string, (b: PickleBuilder) => void][]): Uint8Array {
  const b = new PickleBuilder().proto(2).op('EMPTY_DICT');
  for (const [name, write] of entries) {
    b.shortUnicode(name);
    write(b);
    b.op('SETITEM');
  }
  return b.raw('.').bytes();
}

export function tensorDict(tensors: Record<string, TensorSpec>): Uint8Array {
  return dictPickle(Object.entries(tensors).map(([name, spec]) => [name, (b) => tensorOps(b, spec)]));
}

/** A torch.save-style zip: archive/data.pkl, archive/data/<key>, archive/version. */
export function torchZip(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array>,
  options: { deflate?: boolean; extra?: Record<string, Uint8Array> } = {}
): Uint8Array {
  const level = options.deflate ? 6 : 0;
  const files: Zippable = { 'archive/data.pkl': [pickle, { level: 0 }] };
  for (const [key, bytes] of Object.entries(storages)) files[`archive/data/${key}`] = [bytes, { level }];
  files['archive/version'] = [new TextEncoder().encode('3\n'), { level: 0 }];
  for (const [name, bytes] of Object.entries(options.extra ?? {})) files[name] = [bytes, { level: 0 }];
  return zipSync(files);
}

/** Bytes 0, 1, 2, … (mod 256): every position distinguishable. */
export function ramp(length: number, start = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
}

/** Keeps outputs in memory (tests). */
export class MemoryTarget implements OutputTarget {
  readonly files = new Map<string, Uint8Array>();
  opened = 0;

  async open(name: string): Promise<ByteSink> {
    this.opened++;
    const parts: Uint8Array[] = [];
    return {
      write: async (chunk) => void parts.push(chunk.slice()),
      close: async () => void this.files.set(name, concatBytes(parts)),
      abort: async () => void this.files.delete(name)
    };
  }

  async reopen(name: string): Promise<ByteSource | undefined> {
    const bytes = this.files.get(name);
    return bytes && memorySource(bytes, name);
  }
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The tensors of a safetensors file: header entries and their bytes. */
export function readSafetensors(file: Uint8Array): {
  metadata: Record<string, string>;
  tensors: Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>;
} {
  const n = new DataView(file.buffer, file.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  const { __metadata__: metadata = {}, ...entries } = header;
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  for (const [name, info] of Object.entries<{
    dtype: string;
    shape: number[];
    data_offsets: [number, number];
  }>(entries)) {
    const [a, b] = info.data_offsets;
    tensors.set(name, { dtype: info.dtype, shape: info.shape, bytes: file.subarray(8 + n + a, 8 + n + b) });
  }
  return { metadata, tensors };
}

/**
 * A checkpoint whose every name comes from the attacker (`name` as the prefix of each): a tensor key, a tied
 * weight, a transposed view, a payload calling a function of a module named with `module`. For the tests
 * that every output escapes what the file names.
 */
export function hostileNamesCheckpoint(name: string, module: string): Uint8Array {
  const b = new PickleBuilder().proto(2).op('EMPTY_DICT');
  tensorOps(b.shortUnicode(`${name}.weight`), { key: '0', numel: 6, shape: [2, 3] })
    .raw(0x71, 1)
    .op('SETITEM');
  b.shortUnicode(`${name}.tied`).raw(0x68, 1).op('SETITEM');
  tensorOps(b.shortUnicode(`${name}.view`), { key: '0', numel: 6, shape: [3, 2], stride: [1, 3] }).op(
    'SETITEM'
  );
  // STACK_GLOBAL (0x93): the module name as UTF-8, any character but none of GLOBAL's line ends.
  b.shortUnicode(`${name}.payload`).shortUnicode(module).shortUnicode('system').raw(0x93);
  b.shortUnicode('touch /tmp/safeload-pwned');
  b.raw(0x85).op('REDUCE').op('SETITEM').raw('.');
  return torchZip(b.bytes(), { '0': ramp(24) });
}

/** A checkpoint with one tensor, named `name`, of a dtype safetensors cannot hold (it is refused). */
export function hostileRefusedCheckpoint(name: string): Uint8Array {
  const spec: TensorSpec = {
    storageClass: 'UntypedStorage',
    key: '0',
    numel: 2,
    shape: [2],
    v3Dtype: 'float8_e4m3fnuz'
  };
  return torchZip(tensorDict({ [name]: spec }), { '0': ramp(2) });
}
