import { describe, expect, it } from 'vitest';
import { memorySource, type ByteSource } from '../../bytes/byte-source';
import { DEFAULT_LIMITS, type ScanLimits } from '../../limits';
import type { FindingInput, ScanContext } from '../types';
import { looksLikePickle, scanPickleStream, type PickleScanOptions } from './index';
import { PickleBuilder } from '../../../../../tests/unit/pickle-builder';

interface Collected {
  findings: FindingInput[];
  incomplete: { reason: string; offset?: number }[];
}

function context(limits: Partial<ScanLimits> = {}): [ScanContext, Collected] {
  const out: Collected = { findings: [], incomplete: [] };
  const ctx: ScanContext = {
    path: ['test.pkl'],
    depth: 0,
    limits: { ...DEFAULT_LIMITS, ...limits },
    expectsModel: true,
    report: (f) => out.findings.push(f),
    incomplete: (reason, offset) => out.incomplete.push({ reason, offset }),
    scanNested: async () => undefined,
    analysePickle: () => Promise.reject(new Error('not used: these tests call scanPickleStream')),
    fact: () => undefined,
    reference: () => undefined,
    claimDecompressed: () => true
  };
  return [ctx, out];
}

async function scan(
  bytes: Uint8Array | ByteSource,
  limits: Partial<ScanLimits> = {},
  opts: PickleScanOptions = {}
) {
  const [ctx, out] = context(limits);
  const src = bytes instanceof Uint8Array ? memorySource(bytes, 'test.pkl') : bytes;
  const result = await scanPickleStream(src, ctx, opts);
  const rule = (id: string) => out.findings.filter((f) => f.ruleId === id);
  return { result, ...out, rule };
}

const p = () => new PickleBuilder();

describe('imports and calls', () => {
  it('GLOBAL os system + REDUCE is a critical call, with offsets and disassembly', async () => {
    const b = p().proto(2).global('os', 'system').shortUnicode('id').op('TUPLE1').op('REDUCE').op('STOP');
    const { result, rule } = await scan(b.bytes());
    expect(result.ok).toBe(true);
    expect(result.imports).toEqual([{ module: 'os', name: 'system', offset: 2, opcode: 'GLOBAL' }]);
    const [f] = rule('pickle.call.dangerous');
    expect(f.severity).toBe('critical');
    expect(f.title).toBe('Starts a process when loaded: os.system("id")');
    expect(f.message).toContain('calls os.system("id") (REDUCE at offset');
    expect(f.evidence?.details?.calledVia).toBe('REDUCE');
    expect(f.evidence?.disassembly?.map((l) => l.opcode)).toContain('REDUCE');
    expect(f.evidence!.disassembly!.length).toBeLessThanOrEqual(12);
  });

  it('resolves STACK_GLOBAL operands taken from the memo (BINGET)', async () => {
    const b = p()
      .proto(4)
      .shortUnicode('torch')
      .op('MEMOIZE')
      .op('POP')
      .shortUnicode('posix')
      .op('MEMOIZE')
      .op('POP')
      .shortUnicode('system')
      .op('MEMOIZE')
      .op('POP')
      .raw('h', 1, 'h', 2)
      .op('STACK_GLOBAL')
      .shortUnicode('ls')
      .op('TUPLE1')
      .op('REDUCE')
      .op('STOP');
    const { result, rule } = await scan(b.bytes());
    expect(result.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['posix.system']);
    expect(rule('pickle.call.dangerous')[0].severity).toBe('critical');
  });

  it('protocol-0 INST calls the class, and maps Python 2 names (__builtin__ → builtins)', async () => {
    const b = p().op('MARK').string('print(1)').inst('__builtin__', 'eval').op('STOP');
    const { result, rule } = await scan(b.bytes());
    expect(result.imports[0]).toMatchObject({ module: 'builtins', name: 'eval', opcode: 'INST' });
    const [f] = rule('pickle.call.dangerous');
    expect(f.evidence?.details?.writtenAs).toBe('__builtin__.eval');
    expect(f.evidence?.details?.calledVia).toBe('INST');
  });

  it('does not map Python 2 names at protocol 3 and above (fix_imports only applies below 3)', async () => {
    const b = p().proto(3).global('__builtin__', 'eval').op('STOP');
    const { result } = await scan(b.bytes());
    expect(result.imports[0].module).toBe('__builtin__');
  });

  it('OBJ followed by POP still calls (obj/pop invisibility)', async () => {
    const b = p().proto(4).op('MARK').shortUnicode('smtplib').shortUnicode('SMTP').op('STACK_GLOBAL');
    b.shortUnicode('127.0.0.1').op('OBJ').op('POP').op('NONE').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous')[0]).toMatchObject({ severity: 'critical' });
    expect(rule('pickle.call.dangerous')[0].evidence?.details?.calledVia).toBe('OBJ');
  });

  it('NEWOBJ_EX calls cls.__new__', async () => {
    const b = p().proto(4).global('subprocess', 'Popen').op('EMPTY_TUPLE').op('EMPTY_DICT');
    b.op('NEWOBJ_EX').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous')[0].evidence?.details?.calledVia).toBe('NEWOBJ_EX');
  });

  it('BUILD on an instance counts as a call of its class (__setstate__)', async () => {
    const b = p().proto(2).global('shutil', 'Foo').op('EMPTY_TUPLE').op('NEWOBJ').op('EMPTY_DICT');
    b.op('BUILD').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous')[0].evidence?.details?.calls).toBe(2);
  });

  it('BUILD on an imported module is tampering (sys-module override)', async () => {
    const b = p().proto(4).shortUnicode('torch').shortUnicode('_utils').op('STACK_GLOBAL').op('EMPTY_DICT');
    b.op('BUILD').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.build.global')[0]).toMatchObject({ severity: 'critical' });
  });

  it('flags getattr gadget chains: builtins.getattr(builtins.__import__("os"), "system")', async () => {
    const b = p().proto(2).global('builtins', 'getattr').global('builtins', '__import__');
    b.shortUnicode('os').op('TUPLE1').op('REDUCE').shortUnicode('system').op('TUPLE2').op('REDUCE');
    b.shortUnicode('id').op('TUPLE1').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    const names = rule('pickle.call.dangerous').map((f) => `${f.evidence?.module}.${f.evidence?.name}`);
    expect(names.sort()).toEqual(['builtins.__import__', 'builtins.getattr']);
  });

  it('resolves dotted names as getattr chains (pathlib + os.system, builtins via __builtins__)', async () => {
    const a = await scan(
      p().proto(4).shortUnicode('pathlib').shortUnicode('os.system').op('STACK_GLOBAL').op('STOP').bytes()
    );
    expect(a.rule('pickle.import.dangerous')[0].severity).toBe('high');
    const b = p().proto(4).shortUnicode('collections').shortUnicode('__builtins__.eval').op('STACK_GLOBAL');
    b.shortUnicode('1').op('TUPLE1').op('REDUCE').op('STOP');
    const r = await scan(b.bytes());
    expect(r.rule('pickle.call.dangerous')[0].severity).toBe('critical');
  });

  it('grades an imported-but-never-called dangerous name high, not critical', async () => {
    const { rule } = await scan(p().proto(2).global('os', 'system').op('STOP').bytes());
    expect(rule('pickle.import.dangerous')[0].severity).toBe('high');
    expect(rule('pickle.call.dangerous')).toEqual([]);
  });

  it('treats a dangerous callable passed into another call as used (functools.partial(torch.load))', async () => {
    const b = p().proto(2).global('builtins', 'map').global('builtins', 'eval').op('EMPTY_LIST').op('TUPLE2');
    b.op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.call.dangerous')[0].evidence?.name).toBe('eval');
  });

  it('EXT1 is an import through the copyreg registry (medium, explained)', async () => {
    const { rule } = await scan(p().proto(2).raw(0x82, 7).op('EMPTY_TUPLE').op('REDUCE').op('STOP').bytes());
    expect(rule('pickle.import.extension')[0]).toMatchObject({ severity: 'medium' });
  });

  it('STACK_GLOBAL on computed values is a dynamic import', async () => {
    const b = p().proto(4).global('builtins', 'str').op('EMPTY_TUPLE').op('REDUCE').shortUnicode('x');
    b.op('STACK_GLOBAL').op('EMPTY_TUPLE').op('REDUCE').op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.import.dynamic')[0].severity).toBe('critical');
  });

  it('groups repeated imports into one finding with a count', async () => {
    const b = p().proto(2).op('MARK');
    for (let i = 0; i < 1000; i++) b.global('os', 'system').op('POP');
    b.op('POP_MARK').op('NONE').op('STOP');
    const { result, rule } = await scan(b.bytes());
    expect(result.imports).toHaveLength(1000);
    expect(rule('pickle.import.dangerous')).toHaveLength(1);
    expect(rule('pickle.import.dangerous')[0].evidence?.details?.occurrences).toBe(1000);
  });

  it('leaves allowlisted imports silent and lists unknown ones as medium', async () => {
    const b = p().proto(2).global('collections', 'OrderedDict').op('EMPTY_TUPLE').op('REDUCE');
    b.global('collections', 'Counter').op('EMPTY_TUPLE').op('REDUCE').op('TUPLE2').op('STOP');
    const { findings, rule } = await scan(b.bytes());
    expect(findings).toHaveLength(1);
    expect(rule('pickle.import.unknown')[0].evidence?.imports).toEqual(['collections.Counter']);
  });
});

describe('malformed, stacked and truncated streams', () => {
  it('reports the payload before a malformed byte and the malformation with its offset', async () => {
    const b = p().proto(2).global('os', 'system').shortUnicode('id').op('TUPLE1').op('REDUCE').raw(0xff);
    const { result, rule, incomplete } = await scan(b.bytes());
    expect(result.ok).toBe(false);
    expect(rule('pickle.call.dangerous')).toHaveLength(1);
    expect(rule('pickle.malformed')[0]).toMatchObject({ offset: b.length - 1 });
    expect(incomplete[0].offset).toBe(b.length - 1);
  });

  it.each([
    ['stack underflow', p().proto(2).op('REDUCE'), 2],
    ['bad memo key', p().proto(2).raw('h', 9), 2],
    ['mark missing', p().proto(2).op('NONE').raw('t'), 3],
    ['unknown opcode', p().proto(2).raw(0xfe), 2],
    ['unsupported protocol', p().proto(9), 0],
    ['STACK_GLOBAL with an int', p().proto(4).binint1(1).shortUnicode('x').op('STACK_GLOBAL'), 7]
  ])('%s is a malformation at its offset', async (_name, b, offset) => {
    const { rule, result } = await scan(b.bytes());
    expect(result.ok).toBe(false);
    expect(rule('pickle.malformed')[0].offset).toBe(offset);
  });

  it('reports truncated operands as truncated (not fully analysed) with the opcode offset', async () => {
    const bytes = p()
      .proto(4)
      .raw(0x8e, ...p().u64(100), 1, 2, 3)
      .bytes();
    const { rule } = await scan(bytes);
    expect(rule('pickle.truncated')[0]).toMatchObject({ offset: 2, severity: 'medium' });
    expect(rule('pickle.truncated')[0].title).toContain('Truncated — not fully analysed');
    expect(rule('pickle.truncated')[0].message).toContain('declares 100 bytes');
  });

  it('analyses every stacked pickle: the second one is malicious', async () => {
    const b = p().proto(2).op('NONE').op('STOP').proto(2).global('builtins', 'exec').string('x');
    b.op('TUPLE1').op('REDUCE').op('STOP');
    const { result, rule } = await scan(b.bytes());
    expect(result.pickles).toBe(2);
    expect(rule('pickle.call.dangerous')).toHaveLength(1);
  });

  it('reports bytes after the last STOP that are not a pickle as low trailing data', async () => {
    const b = p().proto(2).op('NONE').op('STOP').raw('PK', 3, 4, 0xff);
    const { result, rule, incomplete } = await scan(b.bytes());
    expect(result).toMatchObject({ ok: true, pickles: 1, end: 4 });
    expect(rule('pickle.trailing-data')[0]).toMatchObject({ severity: 'low', offset: 4 });
    expect(incomplete).toEqual([]);
    const ignored = await scan(b.bytes(), {}, { trailing: 'ignore', maxPickles: 1 });
    expect(ignored.findings).toEqual([]);
  });

  it('reads the legacy PyTorch header values (magic LONG1, protocol BININT2)', async () => {
    const magic = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
    const b = p()
      .proto(2)
      .raw(...magic)
      .op('STOP')
      .proto(2)
      .raw('M', 0xe9, 0x03)
      .op('STOP');
    const first = await scan(b.bytes(), {}, { maxPickles: 1 });
    expect(first.result.firstValue).toBe(0x1950a86a20f9469cfc6cn);
    const second = await scan(b.bytes(), {}, { start: 15 });
    expect(second.result.firstValue).toBe(1001);
  });

  it('counts persistent ids without parsing storages', async () => {
    const b = p().proto(2).shortUnicode('storage').op('TUPLE1').op('BINPERSID').op('STOP');
    expect((await scan(b.bytes())).result.persistentIds).toBe(1);
  });
});

describe('limits', () => {
  const many = () => {
    const b = p().proto(2).op('MARK');
    for (let i = 0; i < 50; i++) b.op('NONE').raw('q', i);
    return b.op('TUPLE').op('STOP');
  };
  it.each([
    ['maxPickleOpcodes', { maxPickleOpcodes: 20 }],
    ['maxPickleStack', { maxPickleStack: 10 }],
    ['maxPickleMemo', { maxPickleMemo: 10 }]
  ])('hitting %s is a limit finding and incomplete, never clean', async (_n, limits) => {
    const { result, rule, incomplete } = await scan(many().bytes(), limits);
    expect(result.ok).toBe(false);
    expect(rule('pickle.limit')).toHaveLength(1);
    expect(incomplete).toHaveLength(1);
  });

  it('hitting maxStackedPickles is a limit', async () => {
    const b = p();
    for (let i = 0; i < 4; i++) b.op('NONE').op('STOP');
    const { rule, result } = await scan(b.bytes(), { maxStackedPickles: 2 });
    expect(result.pickles).toBe(2);
    expect(rule('pickle.limit')).toHaveLength(1);
  });

  it('a text operand longer than maxPickleOperandCopy is skipped, a name that long is a limit', async () => {
    const long = 'a'.repeat(100);
    const ok = await scan(p().unicode(long).op('STOP').bytes(), { maxPickleOperandCopy: 16 });
    expect(ok.result.ok).toBe(true);
    const bad = await scan(p().global('os', long).op('STOP').bytes(), { maxPickleOperandCopy: 16 });
    expect(bad.rule('pickle.limit')).toHaveLength(1);
  });

  it('skips a 10 MB BINBYTES8 by offset without reading it', async () => {
    const size = 10 * 1024 * 1024;
    const head = p()
      .proto(4)
      .raw(0x8e, ...p().u64(size))
      .bytes();
    const tail = p().op('POP').global('os', 'system').op('STOP').bytes();
    const total = head.length + size + tail.length;
    let bytesRead = 0;
    const src: ByteSource = {
      name: 'big.pkl',
      size: total,
      async read(offset, length) {
        const end = Math.min(total, offset + length);
        bytesRead += end - offset;
        const out = new Uint8Array(Math.max(0, end - offset));
        for (let i = offset; i < end; i++) {
          if (i < head.length) out[i - offset] = head[i];
          else if (i >= head.length + size) out[i - offset] = tail[i - head.length - size];
        }
        return out;
      },
      sub() {
        throw new Error('unused');
      }
    };
    const { result, rule } = await scan(src);
    expect(result.ok).toBe(true);
    expect(rule('pickle.import.dangerous')).toHaveLength(1);
    expect(bytesRead).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('frames', () => {
  it('accepts well-formed frames silently', async () => {
    const body = p().op('NONE').op('STOP');
    const { findings } = await scan(
      p()
        .proto(4)
        .frame(body.length)
        .raw(...body.bytes())
        .bytes()
    );
    expect(findings).toEqual([]);
  });

  it('reports an opcode that straddles the end of a frame (high)', async () => {
    const b = p().proto(4).frame(2).raw('J', 7, 0, 0, 0).op('STOP');
    const { rule } = await scan(b.bytes());
    expect(rule('pickle.frame-mismatch')[0]).toMatchObject({ severity: 'high' });
  });

  it('reports a frame longer than the data and a FRAME inside an unfinished frame', async () => {
    const long = await scan(p().proto(4).frame(99).op('NONE').op('STOP').bytes());
    expect(long.rule('pickle.frame-mismatch')[0].message).toContain('declares 99 bytes');
    const nested = await scan(
      p().proto(4).frame(20).op('NONE').frame(2).op('NONE').op('STOP').op('STOP').bytes()
    );
    expect(nested.rule('pickle.frame-mismatch')).toHaveLength(1);
  });
});

describe('sniffing and disassembly', () => {
  it('says yes to protocol 2–5 headers and GLOBAL starts, no to other formats and text', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(looksLikePickle(Uint8Array.of(0x80, 4, 0x4e, 0x2e))).toBe('yes');
    expect(looksLikePickle(enc('cos\nsystem\n(tR.'))).toBe('yes');
    expect(looksLikePickle(enc('(lp0\nS"a"\np1\na.'), true)).toBe('yes');
    expect(looksLikePickle(enc('# README\nSome text\n'), true)).toBe('no');
    expect(looksLikePickle(enc('PK\x03\x04....'))).toBe('no');
    expect(looksLikePickle(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0))).toBe('no');
    expect(looksLikePickle(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe('no');
    expect(looksLikePickle(Uint8Array.of(0x63, 0x6d, 0x6f, 0x64, 0x0a, 0xf8, 0x0a), true)).toBe('no');
  });
});
