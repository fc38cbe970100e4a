import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { DEFAULT_LIMITS } from '../../limits';
import type { FindingInput, ScanContext } from '../types';
import { CAPABILITY_TABLE } from './capabilities';
import { scanPickleStream } from './index';
import { PickleBuilder } from '../../../../../tests/unit/pickle-builder';
import { classifyImport } from './policy';

async function scan(bytes: Uint8Array) {
  const findings: FindingInput[] = [];
  const ctx = {
    path: ['t.pkl'],
    depth: 0,
    limits: DEFAULT_LIMITS,
    report: (f: FindingInput) => findings.push(f),
    incomplete: () => findings.push({ ruleId: 'incomplete', severity: 'medium', title: '', message: '' }),
    scanNested: async () => undefined,
    fact: () => undefined,
    reference: () => undefined,
    claimDecompressed: () => true,
    expectsModel: true,
    analysePickle: () => Promise.reject(new Error('not used'))
  } as ScanContext;
  await scanPickleStream(memorySource(bytes, 't.pkl'), ctx);
  const rule = (id: string) => findings.filter((f) => f.ruleId === id);
  const worst = findings.reduce((w, f) => (rank(f.severity) > rank(w) ? f.severity : w), 'clean');
  return { findings, rule, worst };
}
const rank = (s: string) => ['clean', 'info', 'low', 'medium', 'high', 'critical'].indexOf(s);
const p = () => new PickleBuilder();
/** GLOBAL module name, then call it with the given string arguments. */
const callWith = (module: string, name: string, ...args: string[]) => {
  const b = p().proto(2).global(module, name).op('MARK');
  for (const a of args) b.shortUnicode(a);
  return b.raw('t').op('REDUCE').op('STOP').bytes();
};

describe('capability table', () => {
  it('gives every entry a documentation source and a known capability', () => {
    expect(CAPABILITY_TABLE.length).toBeGreaterThan(300);
    for (const e of CAPABILITY_TABLE) expect(e.source, e.path).toMatch(/-docs$/);
  });

  it.each([
    ['numpy', 'savetxt', 'file-write'],
    ['numpy', 'fromfile', 'file-read'],
    ['numpy', 'load', 'file-read'],
    ['torch', 'save', 'file-write'],
    ['torch', 'load', 'deserialise'],
    ['torch', 'ops.load_library', 'native-load'],
    ['torch._ops', 'ops.load_library', 'native-load'],
    ['torch.fx.graph_module', 'reduce_graph_module', 'exec'],
    ['torch.utils.cpp_extension', 'load_inline', 'native-load'],
    ['numpy.core', '_ufunc_reconstruct', 'import'],
    ['posix', 'system', 'process'],
    ['pandas', 'read_pickle', 'deserialise'],
    ['sklearn.datasets', 'fetch_openml', 'network'],
    ['joblib', 'dump', 'file-write'],
    ['scipy.io', 'savemat', 'file-write'],
    ['transformers.dynamic_module_utils', 'get_class_from_dynamic_module', 'exec'],
    ['pathlib', 'Path.write_text', 'file-write'],
    ['mylib.native', 'load_library', 'native-load'],
    ['numpy.core._multiarray_umath', 'fromfile', 'file-read']
  ])('%s.%s is rated %s (critical when called)', (module, name, capability) => {
    const c = classifyImport(module, name);
    expect(c.capability).toBe(capability);
    expect(c.level).toBe('critical');
  });

  it.each([
    ['pathlib', 'PosixPath'],
    ['pathlib', 'WindowsPath'],
    ['argparse', 'Namespace'],
    ['datetime', 'datetime'],
    ['datetime', 'timedelta'],
    ['uuid', 'UUID'],
    ['transformers.training_args', 'TrainingArguments']
  ])('%s.%s only constructs a value (outside the safe set, not dangerous)', (module, name) => {
    expect(classifyImport(module, name)).toMatchObject({ level: 'unknown', capability: 'inert' });
  });
});

describe('rated by what loading does', () => {
  it('a call is critical, with the literal arguments in one line', async () => {
    const { rule } = await scan(callWith('posix', 'system', 'cat ~/.aws/secrets'));
    const [f] = rule('pickle.call.dangerous');
    expect(f.title).toBe('Starts a process when loaded: posix.system("cat ~/.aws/secrets")');
    expect(f.message).not.toContain('\n');
  });

  it('numpy.savetxt called is critical (file write), imported only is high', async () => {
    expect((await scan(callWith('numpy', 'savetxt', '/tmp/x'))).rule('pickle.call.dangerous')[0].title).toBe(
      'Writes files when loaded: numpy.savetxt("/tmp/x")'
    );
    const ref = await scan(p().proto(2).global('numpy', 'savetxt').op('STOP').bytes());
    expect(ref.worst).toBe('high');
  });

  it('constructing pathlib.PosixPath values is medium, never critical', async () => {
    const b = p().proto(2).op('EMPTY_DICT').shortUnicode('out_dir').global('pathlib', 'PosixPath');
    b.shortUnicode('/data/run1').op('TUPLE1').op('REDUCE').op('SETITEM').op('STOP');
    const { worst, rule } = await scan(b.bytes());
    expect(worst).toBe('medium');
    expect(rule('pickle.import.unknown')[0].message).toContain('only construct values');
  });

  it('resolves getattr(imported, "name") to that name: getattr(pathlib.PosixPath, "write_text") is a file write', async () => {
    const b = p().proto(2).global('builtins', 'getattr').global('pathlib', 'PosixPath');
    b.shortUnicode('write_text').op('TUPLE2').op('REDUCE').shortUnicode('x').op('TUPLE1').op('REDUCE');
    const { rule } = await scan(b.op('STOP').bytes());
    expect(rule('pickle.call.dangerous').map((f) => f.evidence?.name)).toEqual(['PosixPath.write_text']);
  });

  it('resolves numpy.core._ufunc_reconstruct("numpy", "log1p") (old sklearn FunctionTransformer pickles) as an import of numpy.log1p', async () => {
    const b = p().proto(2).global('sklearn.preprocessing._function_transformer', 'FunctionTransformer');
    b.op('EMPTY_TUPLE').op('NEWOBJ').op('EMPTY_DICT').shortUnicode('func');
    b.global('numpy.core', '_ufunc_reconstruct').shortUnicode('numpy').shortUnicode('log1p').op('TUPLE2');
    b.op('REDUCE').op('SETITEM').op('BUILD').op('STOP');
    const { worst, rule } = await scan(b.bytes());
    expect(worst).toBe('medium');
    expect(rule('pickle.import.unknown')[0].evidence?.imports).toContain('numpy.log1p');
  });

  it('_ufunc_reconstruct("os", "system") called is a process start', async () => {
    const b = p()
      .proto(2)
      .global('numpy.core', '_ufunc_reconstruct')
      .shortUnicode('os')
      .shortUnicode('system');
    b.op('TUPLE2').op('REDUCE').shortUnicode('id').op('TUPLE1').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous')[0].title).toBe('Starts a process when loaded: os.system("id")');
  });
});

describe('copyreg extension registry filled by the stream', () => {
  it('resolves EXT1 after copyreg.add_extension to the registered global', async () => {
    const b = p().proto(2).global('copyreg', 'add_extension').shortUnicode('os').shortUnicode('system');
    b.binint1(7).raw(0x87).op('REDUCE').op('POP');
    b.raw(0x82, 7).shortUnicode('echo pwned').op('TUPLE1').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    const calls = rule('pickle.call.dangerous');
    const system = calls.find((f) => f.evidence?.name === 'system');
    expect(system?.title).toBe('Starts a process when loaded: os.system("echo pwned")');
    expect(system?.message).toContain('extension code 7, which the stream itself registered');
    expect(calls.some((f) => f.evidence?.name === 'add_extension')).toBe(true);
    expect(rule('pickle.import.extension')).toEqual([]);
  });

  it('resolves EXT2 after the stream sets copyreg._inverted_registry[code] itself', async () => {
    const b = p().proto(2).global('copyreg', '_inverted_registry').raw('M', 0x39, 0x05);
    b.shortUnicode('subprocess').shortUnicode('getoutput').op('TUPLE2').op('SETITEM').op('POP');
    b.raw(0x83, 0x39, 0x05).shortUnicode('id').op('TUPLE1').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous').map((f) => f.title)).toContain(
      'Starts a process when loaded: subprocess.getoutput("id")'
    );
    expect(rule('pickle.mutate.global')[0].title).toContain('copyreg._inverted_registry[1337]');
  });

  it('EXT after a registry change that cannot be read statically is high', async () => {
    const b = p().proto(2).global('copyreg', 'add_extension').global('builtins', 'str').op('EMPTY_TUPLE');
    b.op('REDUCE').shortUnicode('x').binint1(5).raw(0x87).op('REDUCE').op('POP').raw(0x82, 5).op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.import.extension')[0].severity).toBe('high');
  });

  it('EXT without any registration says the loading program would have to provide it (medium)', async () => {
    const { rule } = await scan(p().proto(2).raw(0x82, 9).op('STOP').bytes());
    expect(rule('pickle.import.extension')[0].severity).toBe('medium');
    expect(rule('pickle.import.extension')[0].message).toContain('Nothing in this stream registers');
  });
});

describe('mutation of imported objects', () => {
  it('APPEND to sys.path is critical with its own title', async () => {
    const b = p().proto(2).global('sys', 'path').shortUnicode('/tmp/evil').op('APPEND').op('STOP');
    const { rule } = await scan(b.bytes());
    const [f] = rule('pickle.mutate.global');
    expect(f.severity).toBe('critical');
    expect(f.title).toBe('Changes an imported object while loading: appends "/tmp/evil" to sys.path');
    expect(rule('pickle.import.dangerous')).toEqual([]);
  });

  it('SETITEM on os.environ and sys.modules is critical', async () => {
    const b = p().proto(2).global('os', 'environ').shortUnicode('LD_PRELOAD').shortUnicode('/tmp/x.so');
    b.op('SETITEM').op('STOP');
    const env = await scan(b.bytes());
    expect(env.rule('pickle.mutate.global')[0].title).toContain('os.environ["LD_PRELOAD"] = "/tmp/x.so"');
    const m = p().proto(2).global('sys', 'modules').op('MARK').shortUnicode('json');
    m.global('os', 'system').raw('u').op('STOP');
    expect((await scan(m.bytes())).rule('pickle.mutate.global')[0].severity).toBe('critical');
  });

  it('BUILD on a module keeps its rule id', async () => {
    const b = p().proto(2).global('torch', '_utils').op('EMPTY_DICT').op('BUILD').op('STOP');
    expect((await scan(b.bytes())).rule('pickle.build.global')[0].severity).toBe('critical');
  });
});

describe('hidden payloads', () => {
  const inner = callWith('posix', 'system', 'echo pwned');
  const withBytes = (payload: Uint8Array) =>
    p()
      .proto(4)
      .op('EMPTY_DICT')
      .shortUnicode('blob')
      .raw(0x42, ...p().u32(payload.length), ...payload)
      .op('SETITEM')
      .op('STOP')
      .bytes();
  const withText = (text: string) => {
    const utf8 = new TextEncoder().encode(text);
    const b = p()
      .proto(4)
      .op('EMPTY_DICT')
      .shortUnicode('blob')
      .raw(0x58, ...p().u32(utf8.length), ...utf8);
    return b.op('SETITEM').op('STOP').bytes();
  };

  it('analyses a pickle stored as bytes: medium, with the inner call shown', async () => {
    const { rule, worst } = await scan(withBytes(inner));
    expect(worst).toBe('medium');
    const [f] = rule('pickle.hidden-payload');
    expect(f.title).toBe('Hidden pickle payload (bytes): would call posix.system("echo pwned")');
    expect(f.evidence?.imports).toEqual(['posix.system("echo pwned")']);
  });

  it.each([
    ['base64 text', Buffer.from(inner).toString('base64')],
    ['hex text', Buffer.from(inner).toString('hex')],
    ['latin-1 text', Buffer.from(inner).toString('latin1')]
  ])('decodes a pickle stored as %s', async (encoding, text) => {
    const { rule } = await scan(withText(text));
    expect(rule('pickle.hidden-payload')[0].evidence?.details?.encoding).toBe(encoding);
  });

  it('any depth: base64 of a pickle holding the bytes of another', async () => {
    const middle = withBytes(inner);
    const { rule } = await scan(withText(Buffer.from(middle).toString('base64')));
    const deep = rule('pickle.hidden-payload').find((f) => f.evidence?.details?.depth === 2);
    expect(deep?.title).toContain('posix.system("echo pwned")');
  });

  it('is high when the file itself hands the payload to pickle.loads', async () => {
    const b = p()
      .proto(4)
      .global('pickle', 'loads')
      .raw(0x42, ...p().u32(inner.length), ...inner);
    b.op('TUPLE1').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    const [f] = rule('pickle.hidden-payload');
    expect(f.severity).toBe('high');
    expect(f.evidence?.details?.decodedBy).toBe('pickle.loads');
    expect(rule('pickle.call.dangerous')[0].title).toContain('pickle.loads');
  });

  it('follows the payload through a decoder into pickle.loads(base64.b64decode(text))', async () => {
    const text = Buffer.from(inner).toString('base64');
    const b = p().proto(4).global('pickle', 'loads').global('base64', 'b64decode');
    b.raw(0x58, ...p().u32(text.length), text)
      .op('TUPLE1')
      .op('REDUCE')
      .op('TUPLE1')
      .op('REDUCE')
      .op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.hidden-payload')[0]).toMatchObject({ severity: 'high' });
    expect(rule('pickle.hidden-payload')[0].evidence?.details?.decodedBy).toBe('pickle.loads');
  });

  it('past the per-file limit of stages, the rest are counted and reported, not dropped', async () => {
    const b = p().proto(4).op('EMPTY_LIST').op('MARK');
    for (let i = 0; i < 40; i++) b.raw(0x42, ...p().u32(inner.length), ...inner);
    const { rule } = await scan(b.raw('e').op('STOP').bytes());
    expect(rule('pickle.hidden-payload')).toHaveLength(32);
    expect(rule('pickle.hidden-payload.limit')[0]).toMatchObject({
      severity: 'medium',
      title: '8 more hidden pickles not analysed'
    });
  });

  it('says nothing about ordinary bytes and strings, or an embedded pickle of plain data', async () => {
    const plainPickle = p().proto(4).op('EMPTY_LIST').shortUnicode('a').op('APPEND').op('STOP').bytes();
    for (const bytes of [
      withBytes(new TextEncoder().encode('just some bytes here')),
      withText('aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ='),
      withText('0123456789abcdef0123456789abcdef'),
      withBytes(plainPickle)
    ]) {
      expect((await scan(bytes)).findings).toEqual([]);
    }
  });
});
