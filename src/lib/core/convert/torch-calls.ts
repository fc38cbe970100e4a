import { storageClassDtype, torchDtype } from './dtypes';
import { ConvertError } from './errors';
import type { CallSite } from './unpickler';
import { dictKey } from './value-keys';
import {
  Global,
  Opaque,
  PyDict,
  PyList,
  PyTuple,
  Tensor,
  type StorageRef,
  type TorchDtype,
  type Value
} from './values';

/** Rebuild functions for tensors that safetensors cannot hold: they are refused, never dropped silently. */
const UNSUPPORTED_TENSORS: Record<string, string> = {
  _rebuild_qtensor: 'a quantized tensor',
  _rebuild_sparse_tensor: 'a sparse tensor',
  _rebuild_sparse_csr_tensor: 'a sparse CSR tensor',
  _rebuild_meta_tensor_no_storage: 'a meta tensor (no data)',
  _rebuild_wrapper_subclass: 'a tensor subclass without storage',
  _rebuild_device_tensor_from_numpy: 'a device tensor stored as a NumPy array',
  _rebuild_device_tensor_from_cpu_tensor: 'a device tensor',
  _rebuild_xla_tensor: 'an XLA tensor',
  _rebuild_mlc_tensor: 'an MLC tensor',
  _rebuild_nested_tensor: 'a nested tensor'
};

const PLAIN_TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

function int(v: Value, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new ConvertError(`${what} is not a non-negative integer`);
}

function ints(v: Value, what: string): number[] {
  if (!(v instanceof PyTuple || v instanceof PyList)) throw new ConvertError(`${what} is not a tuple`);
  if (v.items.length > 64) throw new ConvertError(`${what} has more than 64 dimensions`);
  return v.items.map((item, i) => int(item, `${what}[${i}]`));
}

function rebuildTensor(args: Value[], dtypeArg: Value | undefined, name: string, parameter = false): Tensor {
  const [storage, offset, size, stride] = args;
  if (!isStorage(storage)) throw new ConvertError(`${name}: the first argument is not a storage`);
  let dtype: TorchDtype = storage.dtype;
  if (dtypeArg !== undefined) {
    const resolved = dtypeArg instanceof Global ? dtypeGlobal(dtypeArg) : undefined;
    if (!resolved) throw new ConvertError(`${name}: the dtype argument is not a torch dtype`);
    dtype = resolved;
  }
  const shape = ints(size, `${name}: size`);
  const strides = ints(stride, `${name}: stride`);
  if (shape.length !== strides.length) {
    throw new ConvertError(`${name}: size has ${shape.length} dimensions but stride has ${strides.length}`);
  }
  return new Tensor(storage, dtype, int(offset, `${name}: storage offset`), shape, strides, parameter);
}

function isStorage(v: Value): v is StorageRef {
  return typeof v === 'object' && v !== null && 'kind' in v && v.kind === 'storage';
}

function asParameter(data: Value, name: string): Tensor {
  if (!(data instanceof Tensor)) throw new ConvertError(`${name}: the data argument is not a tensor`);
  const t = new Tensor(data.storage, data.dtype, data.offset, data.shape, data.stride, true);
  t.tampered = data.tampered;
  return t;
}

function orderedDict(args: Value[]): PyDict | undefined {
  const d = new PyDict(true);
  if (args.length === 0) return d;
  const [init] = args;
  if (args.length !== 1) return undefined;
  if (init instanceof PyDict) {
    for (const [key, entry] of init.entries) d.entries.set(key, [entry[0], entry[1]]);
    return d;
  }
  if (!(init instanceof PyList || init instanceof PyTuple)) return undefined;
  for (const pair of init.items) {
    if (!((pair instanceof PyTuple || pair instanceof PyList) && pair.items.length === 2)) return undefined;
    const key = dictKey(pair.items[0]);
    const existing = d.entries.get(key);
    if (existing) existing[1] = pair.items[1];
    else d.entries.set(key, [pair.items[0], pair.items[1]]);
  }
  return d;
}

/**
 * The calls a torch checkpoint makes to rebuild its state dict, interpreted without running anything.
 * Returns undefined for every other call, which the unpickler then keeps opaque.
 */
export function interpretTorchCall(site: CallSite): Value | undefined {
  const { callee, args } = site;
  const { module, name } = callee;
  if (module === 'collections' && name === 'OrderedDict') {
    return site.opcode === 'NEWOBJ' || site.opcode === 'NEWOBJ_EX' ? new PyDict(true) : orderedDict(args);
  }
  if (site.opcode === 'NEWOBJ' || site.opcode === 'NEWOBJ_EX') return undefined;
  if (module === 'torch' && name === 'Size' && args.length === 1) {
    const dims = args[0];
    if (dims instanceof PyTuple || dims instanceof PyList) return new PyTuple([...dims.items]);
    return undefined;
  }
  if (module === 'torch._tensor' && name === '_rebuild_from_type_v2') return rebuildFromType(site);
  if (module !== 'torch._utils') return undefined;
  switch (name) {
    case '_rebuild_tensor':
      return rebuildTensor(args, undefined, name);
    case '_rebuild_tensor_v2':
      if (args.length < 6 || args.length > 7) throw new ConvertError(`${name} takes 6 or 7 arguments`);
      return rebuildTensor(args, undefined, name);
    case '_rebuild_tensor_v3':
      if (args.length < 7 || args.length > 8) throw new ConvertError(`${name} takes 7 or 8 arguments`);
      return rebuildTensor(args, args[6], name);
    case '_rebuild_parameter':
    case '_rebuild_parameter_with_state':
      return asParameter(args[0] ?? null, name);
  }
  if (Object.hasOwn(UNSUPPORTED_TENSORS, name)) {
    const opaque = new Opaque(UNSUPPORTED_TENSORS[name], site.offset);
    opaque.imports.add(callee.qualified);
    opaque.tensorKind = UNSUPPORTED_TENSORS[name];
    return opaque;
  }
  return undefined;
}

/** `_rebuild_from_type_v2(func, new_type, args, state)`: a plain Tensor or Parameter rebuilt by `func`. */
function rebuildFromType(site: CallSite): Value | undefined {
  const [func, newType, args] = site.args;
  if (!(func instanceof Global) || !(newType instanceof Global) || !(args instanceof PyTuple))
    return undefined;
  if (!PLAIN_TENSOR_TYPES.has(newType.qualified)) return undefined;
  const inner = interpretTorchCall({ ...site, callee: func, args: args.items });
  if (!(inner instanceof Tensor)) return undefined;
  return newType.name === 'Parameter' ? asParameter(inner, func.name) : inner;
}

/** `torch.<dtype>` globals used as values (the dtype argument of `_rebuild_tensor_v3`). */
function dtypeGlobal(g: Global): TorchDtype | undefined {
  return g.module === 'torch' ? torchDtype(g.name) : undefined;
}

/**
 * Reads a storage persistent id: ('storage', storage_class, key, location, numel[, view_metadata]).
 * Torch caches storages by key, so the first reference fixes a storage's type and size.
 */
export class StorageTable {
  readonly byKey = new Map<string, StorageRef>();
  private readonly views = new Map<string, StorageRef>();

  constructor(private readonly legacy: boolean) {}

  load(pid: Value): Value {
    if (!(pid instanceof PyTuple) || pid.items.length === 0) {
      throw new ConvertError('a persistent id is not a tuple');
    }
    const [typename, storageClass, rawKey, , numelValue, view] = pid.items;
    if (this.legacy && typename === 'module') {
      const opaque = new Opaque('a pickled module class (legacy "module" persistent id)', 0);
      if (storageClass instanceof Global) opaque.imports.add(storageClass.qualified);
      return opaque;
    }
    if (typename !== 'storage')
      throw new ConvertError(`unknown persistent id type ${describeTypename(typename)}`);
    if (pid.items.length !== (this.legacy ? 6 : 5)) {
      throw new ConvertError(`a storage persistent id has ${pid.items.length} fields`);
    }
    if (!(storageClass instanceof Global)) throw new ConvertError('a storage persistent id names no class');
    const dtype = storageClassDtype(storageClass.module, storageClass.name);
    if (!dtype) throw new ConvertError(`${storageClass.qualified} is not a storage class`);
    if (typeof rawKey !== 'string' && typeof rawKey !== 'number') {
      throw new ConvertError('a storage key is not a string');
    }
    const key = String(rawKey);
    const numel = int(numelValue, `the size of storage ${JSON.stringify(key.slice(0, 40))}`);
    let root = this.byKey.get(key);
    if (!root) {
      root = { kind: 'storage', key, dtype, nbytes: numel * dtype.itemSize, viewOffsetBytes: 0 };
      this.byKey.set(key, root);
    }
    if (!this.legacy || view === null || view === undefined) return root;
    return this.view(root, view, dtype);
  }

  /** Legacy view_metadata (view_key, offset, size), in elements of the storage class. */
  private view(root: StorageRef, view: Value, dtype: TorchDtype): StorageRef {
    if (!(view instanceof PyTuple) || view.items.length !== 3) {
      throw new ConvertError('legacy storage view metadata is not a 3-tuple');
    }
    const [viewKey, offset, size] = view.items;
    const key = String(typeof viewKey === 'string' || typeof viewKey === 'number' ? viewKey : '');
    const existing = this.views.get(key);
    if (existing) return existing;
    const ref: StorageRef = {
      kind: 'storage',
      key: root.key,
      dtype,
      nbytes: int(size, 'a storage view size') * dtype.itemSize,
      viewOffsetBytes: int(offset, 'a storage view offset') * dtype.itemSize
    };
    if (ref.viewOffsetBytes + ref.nbytes > root.nbytes) {
      throw new ConvertError(`a storage view runs past its storage ${JSON.stringify(root.key.slice(0, 40))}`);
    }
    this.views.set(key, ref);
    return ref;
  }
}

function describeTypename(v: Value): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : 'that is not a string';
}
