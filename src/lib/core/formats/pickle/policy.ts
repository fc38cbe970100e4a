/**
 * Which imports a pickle may make. See policy.md next to this file for the rationale.
 * Names are matched after the loader's own normalisation (fix_imports) and after mapping private stdlib
 * modules to their public meaning (`_io` → `io`, `posix` → `os`, …).
 */
export type ImportLevel = 'safe' | 'unknown' | 'high' | 'critical';
export type DangerCategory =
  'shell' | 'process' | 'exec' | 'code' | 'file' | 'network' | 'deserialise' | 'import' | 'gadget' | 'system';

export interface ImportClass {
  level: ImportLevel;
  category?: DangerCategory;
  /** The dotted path the rule matched (after alias resolution), e.g. "os.system". */
  resolved: string;
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

/** Longest-prefix rules over "module.name" (a rule "os" covers every name in os and its submodules). */
const RULES: [string, ImportLevel, DangerCategory][] = [];
function rule(level: ImportLevel, category: DangerCategory, paths: string): void {
  for (const p of paths.trim().split(/\s+/)) RULES.push([p, level, category]);
}
rule('critical', 'shell', 'os.system os.popen subprocess pty.spawn platform.popen pydoc.pipepager');
rule(
  'critical',
  'process',
  'os multiprocessing asyncio pexpect pty _aix_support _osx_support pyrepl ensurepip pip venv'
);
rule(
  'critical',
  'process',
  'webbrowser concurrent.futures.process concurrent.futures.ProcessPoolExecutor imaplib.IMAP4_stream'
);
rule(
  'critical',
  'process',
  'platform._syscmd_ver platform._syscmd_file platform._syscmd_uname setuptools distutils'
);
rule(
  'critical',
  'exec',
  'builtins.eval builtins.exec builtins.execfile builtins.compile builtins.breakpoint builtins.input'
);
rule(
  'critical',
  'exec',
  'builtins.raw_input builtins.help builtins.apply builtins.__build_class__ code codeop runpy pdb bdb'
);
rule(
  'critical',
  'exec',
  'timeit trace cProfile profile doctest pydoc idlelib test interpreters cloudpickle dill IPython'
);
rule(
  'critical',
  'exec',
  'numpy.testing._private.utils numpy.f2py numpy.distutils numexpr.evaluate pandas.eval'
);
rule(
  'critical',
  'exec',
  'torch._inductor torch._dynamo torch.jit torch.compile torch.utils.collect_env torch.utils.bottleneck'
);
rule(
  'critical',
  'exec',
  'torch.utils._config_module torch.fx.experimental.symbolic_shapes.ShapeEnv torch.package'
);
rule('critical', 'exec', 'torch._export torch.testing._internal');
rule(
  'critical',
  'code',
  'types.CodeType types.FunctionType types.LambdaType types.MethodType types.ModuleType'
);
rule('critical', 'code', 'types.new_class types.CellType marshal');
rule(
  'critical',
  'file',
  'builtins.open builtins.file io shutil pathlib tempfile glob fileinput filecmp shelve zipfile tarfile'
);
rule(
  'critical',
  'file',
  'zipimport py_compile compileall linecache sqlite3 dbm mmap codecs.open os.path logging.FileHandler'
);
rule(
  'critical',
  'file',
  'logging.handlers logging.config gzip.open gzip.GzipFile bz2.open bz2.BZ2File lzma.open lzma.LZMAFile'
);
rule('critical', 'file', 'tokenize.open');
rule(
  'critical',
  'network',
  'socket ssl urllib http requests aiohttp httpx urllib3 ftplib smtplib telnetlib poplib imaplib'
);
rule(
  'critical',
  'network',
  'nntplib xmlrpc socketserver smtpd asynchat asyncore wsgiref torch.distributed.rpc'
);
rule(
  'critical',
  'deserialise',
  'pickle marshal yaml jsonpickle joblib.load numpy.load numpy.lib.npyio.load torch.load'
);
rule(
  'critical',
  'deserialise',
  'torch.serialization.load torch.hub lib2to3 pandas.read_pickle pandas.io.pickle'
);
rule(
  'critical',
  'deserialise',
  'torch.utils.data.datapipes.utils.decoder torch.distributed.elastic.rendezvous.api.basichandlers'
);
rule('high', 'deserialise', 'torch.storage._load_from_bytes');
rule(
  'critical',
  'import',
  'builtins.__import__ builtins.reload importlib pkgutil site ctypes cffi numpy.ctypeslib'
);
rule(
  'critical',
  'gadget',
  'builtins.getattr builtins.setattr builtins.delattr builtins.vars builtins.globals'
);
rule(
  'critical',
  'gadget',
  'builtins.locals operator.attrgetter operator.methodcaller operator.itemgetter operator.getitem'
);
rule(
  'critical',
  'gadget',
  'operator.setitem operator.delitem operator.call functools.partial functools.partialmethod'
);
rule('critical', 'gadget', 'functools.reduce');
rule('critical', 'system', 'sys signal threading atexit');
rule(
  'high',
  'system',
  'builtins.exit builtins.quit gc inspect resource select selectors syslog faulthandler'
);
rule('high', 'code', 'ast builtins.type');
rule(
  'critical',
  'process',
  'uuid._get_command_stdout uuid._popen uuid._ifconfig_getnode uuid._ip_getnode uuid._arp_getnode'
);
rule(
  'critical',
  'process',
  'uuid._lanscan_getnode uuid._netstat_getnode uuid._find_mac_near_keyword uuid._find_mac_under_heading'
);
rule('unknown', 'file', 'io.BytesIO io.StringIO io.TextIOWrapper');
RULES.sort((a, b) => b[0].length - a[0].length);

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

function matchRules(path: string): ImportClass | undefined {
  if (SAFE.has(path)) return { level: 'safe', resolved: path };
  for (const [prefix, level, category] of RULES) {
    if (path === prefix || path.startsWith(`${prefix}.`)) return { level, category, resolved: path };
  }
  return undefined;
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
        return { level: 'critical', category: 'gadget', resolved: path };
      }
      const via = matchRules(canonicalPath(attrs[i], attrs.slice(i + 1).join('.')));
      if (via && levelRank(via.level) > levelRank(best.level)) best = via;
    }
    if (best.level === 'safe') best = { level: 'unknown', resolved: path };
  }
  if (attrs.some((a) => DUNDER_GADGETS.has(a)) && levelRank(best.level) < levelRank('high')) {
    return { level: 'high', category: 'gadget', resolved: path };
  }
  return best;
}

const WHAT: Record<DangerCategory, [string, string]> = {
  shell: [
    'Runs a shell command when loaded',
    'starts a shell or process and runs a command of the attacker’s choosing'
  ],
  process: [
    'Starts a process when loaded',
    'can start operating-system processes, run commands or install packages'
  ],
  exec: ['Runs Python code when loaded', 'evaluates or executes Python code supplied in the file'],
  code: ['Builds executable code when loaded', 'constructs code objects or functions from raw data'],
  file: ['Touches files when loaded', 'can read, create, overwrite or delete files on this machine'],
  network: [
    'Opens network connections when loaded',
    'can connect to remote hosts, download payloads or leak data'
  ],
  deserialise: [
    'Loads a hidden nested payload',
    'deserialises another embedded payload (pickle, marshal, YAML, …) that runs with the same power'
  ],
  import: [
    'Loads arbitrary modules or native code',
    'imports modules or native libraries chosen by the file'
  ],
  gadget: [
    'Uses an attribute or call gadget',
    'reaches arbitrary attributes or calls arbitrary callables — the building block of exploit chains'
  ],
  system: [
    'Tampers with the interpreter or process',
    'changes interpreter or process state (exit, signals, threads, tracing, module table)'
  ]
};

export function describeCategory(category: DangerCategory): { title: string; what: string } {
  const [title, what] = WHAT[category];
  return { title, what };
}
