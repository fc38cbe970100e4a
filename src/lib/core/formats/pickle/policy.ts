/**
 * Which imports a pickle may make, rated by what the imported object can do (capabilities.ts). See
 * policy.md next to this file for the rationale. Names are matched after the loader's own normalisation
 * (fix_imports) and after mapping private stdlib modules to their public meaning (`_io` → `io`, `posix` →
 * `os`, …).
 */
import { CAPABILITY_TABLE, MEMBER_CAPABILITIES, type Capability, type DocSource } from './capabilities';

export type { Capability } from './capabilities';
export type ImportLevel = 'safe' | 'unknown' | 'high' | 'critical';

export interface ImportClass {
  level: ImportLevel;
  /** What calling or constructing the object does; absent when nothing is known about it. */
  capability?: Capability;
  /** The dotted path that was rated (after alias resolution), e.g. "os.system". */
  resolved: string;
  /** Where the capability comes from: a table entry's documentation, or a member name rule. */
  source?: DocSource | 'member-name' | 'attribute-chain';
}

const TORCH_DTYPES =
  'float64 float32 float16 bfloat16 int64 int32 int16 int8 uint8 bool complex128 complex64 qint8 quint8 qint32 quint4x2 quint2x4 uint16 uint32 uint64 float8_e5m2 float8_e4m3fn float8_e5m2fnuz float8_e4m3fnuz bits8 bits16 bits1x8 bits2x4 bits4x2 complex32 uint1 uint2 uint3 uint4 uint5 uint6 uint7 int1 int2 int3 int4 int5 int6 int7 per_tensor_affine per_tensor_symmetric per_channel_affine per_channel_symmetric per_channel_affine_float_qparams Size Tensor device strided sparse_coo sparse_csr';
const TORCH_CLASSES =
  'Float Double Half BFloat16 Byte Char Short Int Long Bool ComplexFloat ComplexDouble QUInt8 QInt8 QInt32 QUInt4x2 QUInt2x4';
const TORCH_REBUILD =
  '_rebuild_parameter _rebuild_parameter_with_state _rebuild_qtensor _rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_sparse_tensor _rebuild_meta_tensor_no_storage _rebuild_wrapper_subclass _rebuild_device_tensor_from_numpy _rebuild_device_tensor_from_cpu_tensor';
const SAFE_BUILTINS =
  'set frozenset bytearray bytes slice complex int float str bool list dict tuple range object NoneType Ellipsis NotImplemented abs all any ascii bin callable chr divmod enumerate filter format hash hex id isinstance issubclass iter len map max min next oct ord pow repr reversed round sorted sum zip';

/** Exactly what may be imported without any finding. */
const SAFE = new Set<string>([
  ...TORCH_DTYPES.split(' ').map((n) => `torch.${n}`),
  ...TORCH_CLASSES.split(' ').flatMap((n) => [`torch.${n}Storage`, `torch.${n}Tensor`]),
  ...TORCH_REBUILD.split(' ').map((n) => `torch._utils.${n}`),
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch._tensor._rebuild_from_type_v2',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  // TorchScript's constants.pkl list builders: identity functions in torch/jit/_pickle.py.
  ...'build_intlist build_tensorlist build_doublelist build_boollist build_tensor_from_id restore_type_tag'
    .split(' ')
    .map((n) => `torch.jit._pickle.${n}`),
  'collections.OrderedDict',
  'codecs.encode',
  ...SAFE_BUILTINS.split(' ').map((n) => `builtins.${n}`),
  ...['numpy.core', 'numpy._core'].flatMap((m) => [
    `${m}.multiarray._reconstruct`,
    `${m}.multiarray.scalar`,
    `${m}.numeric._frombuffer`
  ]),
  'numpy.ndarray',
  'numpy.dtype',
  // joblib's array wrapper only tells joblib.load to read raw array bytes (stepped over) or, for object
  // arrays, a nested pickle (analysed like the rest): see joblib-array.ts.
  'joblib.numpy_pickle.NumpyArrayWrapper'
]);

/** Private or platform modules and what they stand for. */
const ALIASES: Record<string, string> = {
  __builtin__: 'builtins',
  __builtins__: 'builtins',
  _io: 'io',
  _pyio: 'io',
  _operator: 'operator',
  _functools: 'functools',
  _pickle: 'pickle',
  cPickle: 'pickle',
  _thread: 'threading',
  _dummy_thread: 'threading',
  thread: 'threading',
  _ctypes: 'ctypes',
  _posixsubprocess: 'subprocess',
  _winapi: 'subprocess',
  _socket: 'socket',
  _ssl: 'ssl',
  _signal: 'signal',
  _sqlite3: 'sqlite3',
  _interpreters: 'interpreters',
  _xxsubinterpreters: 'interpreters',
  _xxinterpchannels: 'interpreters',
  _interpqueues: 'interpreters',
  _interpchannels: 'interpreters',
  posix: 'os',
  nt: 'os',
  posixpath: 'os.path',
  ntpath: 'os.path',
  genericpath: 'os.path',
  _frozen_importlib: 'importlib',
  _frozen_importlib_external: 'importlib',
  _imp: 'importlib',
  imp: 'importlib',
  _codecs: 'codecs',
  _collections: 'collections',
  _asyncio: 'asyncio',
  _multiprocessing: 'multiprocessing',
  _pyrepl: 'pyrepl',
  _marshal: 'marshal',
  _tracemalloc: 'sys',
  _sys: 'sys',
  _gc: 'gc',
  _lsprof: 'cProfile',
  _bootlocale: 'locale',
  _winreg: 'winreg',
  commands: 'subprocess',
  popen2: 'subprocess',
  urllib2: 'urllib.request',
  httplib: 'http.client',
  builtin: 'builtins'
};

/** The table, longest path first, so the most specific entry wins. */
const TABLE = [...CAPABILITY_TABLE].sort((a, b) => b.path.length - a.path.length);

/** Attribute names that lead from any object to interpreter internals. */
const DUNDER_GADGETS = new Set([
  '__globals__',
  '__builtins__',
  '__dict__',
  '__class__',
  '__subclasses__',
  '__base__',
  '__bases__',
  '__mro__',
  '__getattribute__',
  '__code__',
  '__func__',
  '__self__',
  '__loader__',
  '__spec__',
  '__import__',
  '__reduce__',
  '__reduce_ex__',
  '__init__',
  '__new__',
  '__call__',
  '__closure__'
]);

const LEVEL_RANK: Record<ImportLevel, number> = { safe: 0, unknown: 1, high: 2, critical: 3 };

export function levelRank(level: ImportLevel): number {
  return LEVEL_RANK[level];
}

/** Maps the first component of a module path through ALIASES ("_io.FileIO" → "io.FileIO"). */
export function canonicalPath(module: string, name: string): string {
  const parts = module.split('.');
  const alias = ALIASES[parts[0]];
  if (alias !== undefined && Object.prototype.hasOwnProperty.call(ALIASES, parts[0])) parts[0] = alias;
  return `${parts.join('.')}.${name}`;
}

/** The level a capability gets: everything that acts is critical when called, high when only imported. */
export function levelOf(capability: Capability): ImportLevel {
  if (capability === 'inert') return 'unknown';
  return capability === 'internals' ? 'high' : 'critical';
}

function fromTable(path: string): ImportClass | undefined {
  for (const e of TABLE) {
    const exact = path === e.path;
    if (!exact && !(e.prefix && path.startsWith(`${e.path}.`))) continue;
    // A module-wide "constructs only" entry does not vouch for a member whose name says it acts.
    if (!exact && e.capability === 'inert')
      return fromMemberName(path) ?? classOf(e.capability, path, e.source);
    return classOf(e.capability, path, e.source);
  }
  return undefined;
}

function classOf(capability: Capability, path: string, source: ImportClass['source']): ImportClass {
  return { level: levelOf(capability), capability, resolved: path, source };
}

function fromMemberName(path: string): ImportClass | undefined {
  const member = path.slice(path.lastIndexOf('.') + 1);
  const capability = Object.prototype.hasOwnProperty.call(MEMBER_CAPABILITIES, member)
    ? MEMBER_CAPABILITIES[member]
    : undefined;
  return capability && classOf(capability, path, 'member-name');
}

function matchRules(path: string): ImportClass | undefined {
  if (SAFE.has(path)) return { level: 'safe', resolved: path };
  return fromTable(path) ?? fromMemberName(path);
}

/** Classifies the object `find_class(module, name)` resolves to (names may be dotted getattr chains). */
export function classifyImport(module: string, name: string): ImportClass {
  const path = canonicalPath(module, name);
  let best: ImportClass = matchRules(path) ?? { level: 'unknown', resolved: path };
  const attrs = name.split('.');
  if (attrs.length > 1) {
    // A dotted name walks attributes from the module: through a dunder it reaches interpreter internals, and
    // through a module attribute (pathlib.os, __future__._ssl …) it reaches whatever that module exposes.
    for (let i = 0; i < attrs.length - 1; i++) {
      if (DUNDER_GADGETS.has(attrs[i])) {
        return { level: 'critical', capability: 'gadget', resolved: path, source: 'attribute-chain' };
      }
      const via = matchRules(canonicalPath(attrs[i], attrs.slice(i + 1).join('.')));
      if (via && levelRank(via.level) > levelRank(best.level)) best = via;
    }
    if (best.level === 'safe') best = { level: 'unknown', resolved: path };
  }
  if (attrs.some((a) => DUNDER_GADGETS.has(a)) && levelRank(best.level) < levelRank('high')) {
    return { level: 'high', capability: 'gadget', resolved: path, source: 'attribute-chain' };
  }
  return best;
}

const WHAT: Record<Capability, [string, string]> = {
  exec: ['Runs Python code when loaded', 'runs Python code or builds functions from data in the file'],
  process: ['Starts a process when loaded', 'starts operating-system processes or shells'],
  'file-read': ['Reads files when loaded', 'reads files on this machine'],
  'file-write': ['Writes files when loaded', 'creates, overwrites or deletes files on this machine'],
  network: ['Opens network connections when loaded', 'connects to remote hosts'],
  'native-load': ['Loads native code when loaded', 'loads a native library or calls native code'],
  import: [
    'Imports a module chosen by the file when loaded',
    'imports a module and fetches an attribute named by its arguments'
  ],
  gadget: [
    'Reaches arbitrary attributes or callables when loaded',
    'reaches attributes or calls callables chosen by the file, the building block of exploit chains'
  ],
  deserialise: [
    'Loads a nested payload when loaded',
    'deserialises another payload (pickle, marshal, YAML …) that runs with the same power'
  ],
  interpreter: [
    'Changes the running interpreter when loaded',
    'changes interpreter-wide state (module table, import path, environment, signals, registries)'
  ],
  internals: [
    'Reaches interpreter internals when loaded',
    'inspects or affects the interpreter (introspection, exit, resource limits)'
  ],
  inert: ['Constructs a value', 'builds a value and touches nothing else']
};

export function describeCapability(capability: Capability): { title: string; what: string } {
  const [title, what] = WHAT[capability];
  return { title, what };
}
