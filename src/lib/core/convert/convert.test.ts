import { createSHA256 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { memorySource, rangeSource } from '../bytes/byte-source';
import { PickleBuilder } from '../../../../tests/unit/pickle-builder';
import { convertToSafetensors, type ConvertOptions } from './convert';
import { ConvertError } from './errors';
import type { Extraction } from './extraction';
import { buildHeader } from './header';
import { planConversion } from './plan';
import { storedStorage } from './storage-data';
import {
  concatBytes,
  dictPickle,
  int,
  MemoryTarget,
  ramp,
  readSafetensors,
  tensorDict,
  tensorOps,
  torchZip,
  type TensorSpec
} from '../../../../tests/unit/torch-checkpoint';
import { Tensor } from './values';
import { writeShard } from './writer';
import { torchDtype } from './dtypes';

const options: ConvertOptions = { outputName: 'model.safetensors', createHasher: createSHA256 };

async function convert(file: Uint8Array, name = 'model.pt') {
  const target = new MemoryTarget();
  const report = await convertToSafetensors(
    [{ source: memorySource(file, name), path: name }],
    target,
    options
  );
  const out = target.files.get('model.safetensors');
  return { report, target, out: out && readSafetensors(out) };
}

const f32 = (key: string, shape: number[], extra: Partial<TensorSpec> = {}): TensorSpec => ({
  key,
  numel: shape.reduce((a, b) => a * b, 1),
  shape,
  ...extra
});

describe('convert: dtypes torch ≥ 2.1 writes with _rebuild_tensor_v3', () => {
  it('writes float8 and unsigned tensors over untyped storages byte for byte', async () => {
    const storage0 = ramp(12);
    const storage1 = ramp(8, 100);
    const pickle = tensorDict({
      e4m3: { storageClass: 'UntypedStorage', key: '0', numel: 12, shape: [2, 3], v3Dtype: 'float8_e4m3fn' },
      e5m2: {
        storageClass: 'UntypedStorage',
        key: '0',
        numel: 12,
        offset: 6,
        shape: [6],
        v3Dtype: 'float8_e5m2'
      },
      u16: { storageClass: 'UntypedStorage', key: '1', numel: 8, shape: [4], v3Dtype: 'uint16' },
      e8m0: {
        storageClass: 'UntypedStorage',
        key: '1',
        numel: 8,
        offset: 6,
        shape: [2],
        v3Dtype: 'float8_e8m0fnu'
      }
    });
    const { report, out } = await convert(torchZip(pickle, { '0': storage0, '1': storage1 }));
    expect(report.ok).toBe(true);
    const t = out!.tensors;
    expect(t.get('e4m3')).toEqual({ dtype: 'F8_E4M3', shape: [2, 3], bytes: storage0.subarray(0, 6) });
    expect(t.get('e5m2')).toEqual({ dtype: 'F8_E5M2', shape: [6], bytes: storage0.subarray(6, 12) });
    expect(t.get('u16')).toEqual({ dtype: 'U16', shape: [4], bytes: storage1 });
    expect(t.get('e8m0')).toEqual({ dtype: 'F8_E8M0', shape: [2], bytes: storage1.subarray(6, 8) });
    expect(out!.metadata).toEqual({ format: 'pt' });
    expect(report.outputs[0].rescan?.verdict).toBe('clean');
    expect(report.outputs[0].headerMatches).toBe(true);
  });

  it('refuses a dtype safetensors has no name for, and writes nothing', async () => {
    const pickle = tensorDict({
      ok: f32('0', [2]),
      fnuz: { storageClass: 'UntypedStorage', key: '1', numel: 4, shape: [4], v3Dtype: 'float8_e4m3fnuz' }
    });
    const { report, target } = await convert(torchZip(pickle, { '0': ramp(8), '1': ramp(4) }));
    expect(report.ok).toBe(false);
    expect(report.refused).toEqual([
      { name: 'fnuz', reason: expect.stringMatching(/float8_e4m3fnuz has no safetensors/) }
    ]);
    expect(target.opened).toBe(0);
  });

  it('refuses quantized tensors rather than leaving them out', async () => {
    const pickle = dictPickle([
      ['w', (b) => tensorOps(b, f32('0', [2]))],
      ['q', (b) => b.global('torch._utils', '_rebuild_qtensor').op('EMPTY_TUPLE').op('REDUCE')]
    ]);
    const { report } = await convert(torchZip(pickle, { '0': ramp(8) }));
    expect(report.ok).toBe(false);
    expect(report.refused[0]).toMatchObject({ name: 'q', reason: expect.stringMatching(/quantized/) });
  });
});

describe('convert: nothing in the pickle runs', () => {
  it('lists a payload the pickle calls and pops before the state dict as not executed', async () => {
    const b = new PickleBuilder().proto(2);
    b.global('posix', 'system').shortUnicode('touch /tmp/pwned').raw(0x85).op('REDUCE').op('POP');
    b.op('EMPTY_DICT').shortUnicode('w');
    tensorOps(b, f32('0', [2]));
    b.op('SETITEM').raw('.');
    const { report, out } = await convert(torchZip(b.bytes(), { '0': ramp(8) }));
    expect(report.ok).toBe(true);
    expect(report.notExecuted).toEqual([
      expect.objectContaining({ callee: 'posix.system', opcode: 'REDUCE', count: 1 })
    ]);
    expect([...out!.tensors.keys()]).toEqual(['w']);
    expect(report.inputs[0].scan?.verdict).toBe('critical');
  });

  it('drops an entry built by an unknown class and names its import', async () => {
    const pickle = dictPickle([
      ['w', (b) => tensorOps(b, f32('0', [2]))],
      ['cfg', (b) => b.global('mytrainer.config', 'Config').op('EMPTY_TUPLE').op('REDUCE')]
    ]);
    const { report } = await convert(torchZip(pickle, { '0': ramp(8) }));
    expect(report.ok).toBe(true);
    expect(report.dropped).toEqual([
      {
        path: 'cfg',
        what: 'result of calling mytrainer.config.Config',
        imports: ['mytrainer.config.Config'],
        tensors: 0
      }
    ]);
  });

  it('refuses a tensor the pickle changes after building it (BUILD)', async () => {
    const pickle = dictPickle([
      ['w', (b) => tensorOps(b, f32('0', [2]))],
      [
        'v',
        (b) =>
          tensorOps(b, f32('0', [2]))
            .op('EMPTY_DICT')
            .op('BUILD')
      ]
    ]);
    const { report } = await convert(torchZip(pickle, { '0': ramp(8) }));
    expect(report.refused).toEqual([{ name: 'v', reason: expect.stringMatching(/BUILD/) }]);
  });
});

describe('convert: layout', () => {
  it('keeps names that objects would swallow (__proto__) and refuses lone surrogates', async () => {
    const ok = await convert(torchZip(tensorDict({ __proto__x: f32('0', [1]) }), { '0': ramp(4) }));
    expect(ok.report.ok).toBe(true);
    const proto = tensorDict({ ['__proto__']: f32('0', [1]) });
    const { report, out } = await convert(torchZip(proto, { '0': ramp(4) }));
    expect(report.ok).toBe(true);
    expect([...out!.tensors.keys()]).toEqual(['__proto__']);
    // BINUNICODE 'a' + an encoded lone surrogate (surrogatepass), as Python pickles '\ud800'.
    const b = new PickleBuilder().proto(2).op('EMPTY_DICT').raw(0x58, 4, 0, 0, 0, 0x61, 0xed, 0xa0, 0x80);
    tensorOps(b, f32('0', [1]));
    const lone = await convert(torchZip(b.op('SETITEM').raw('.').bytes(), { '0': ramp(4) }));
    expect(lone.report.refused).toEqual([
      { name: 'a\ud800', reason: expect.stringMatching(/lone surrogate/) }
    ]);
  });

  it('refuses two entries that flatten to the same dotted name', async () => {
    const pickle = dictPickle([
      ['a.b', (b) => tensorOps(b, f32('0', [1], { numel: 2 }))],
      [
        'a',
        (b) =>
          tensorOps(b.op('EMPTY_DICT').shortUnicode('b'), f32('0', [1], { numel: 2, offset: 1 })).op(
            'SETITEM'
          )
      ]
    ]);
    const { report } = await convert(torchZip(pickle, { '0': ramp(8) }));
    expect(report.refused).toEqual([{ name: 'a.b', reason: expect.stringMatching(/same name/) }]);
  });

  it('refuses a tensor that reaches past its storage, and a record of the wrong size', async () => {
    const past = await convert(torchZip(tensorDict({ w: f32('0', [2], { offset: 1 }) }), { '0': ramp(8) }));
    expect(past.report.refused[0].reason).toMatch(/past the end of its storage/);
    const short = await convert(torchZip(tensorDict({ w: f32('0', [2]) }), { '0': ramp(7) }));
    expect(short.report.ok).toBe(false);
    expect(short.report.error).toMatch(/holds 7 bytes but its storage declares 8/);
  });

  it('refuses a checkpoint written on a big-endian machine', async () => {
    const file = torchZip(
      tensorDict({ w: f32('0', [1]) }),
      { '0': ramp(4) },
      {
        extra: { 'archive/byteorder': new TextEncoder().encode('big') }
      }
    );
    const { report } = await convert(file);
    expect(report.error).toMatch(/big-endian/);
  });

  it('inflates deflated storages as a stream and gathers strided views from them', async () => {
    const storage = ramp(4 * 24);
    const pickle = tensorDict({
      full: f32('0', [24]),
      t: f32('0', [6, 4], { numel: 24, stride: [1, 6] })
    });
    const { report, out } = await convert(torchZip(pickle, { '0': storage }, { deflate: true }));
    expect(report.ok).toBe(true);
    expect(out!.tensors.get('full')!.bytes).toEqual(storage);
    const expected = new Uint8Array(96);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 4; j++)
        expected.set(storage.subarray((j * 6 + i) * 4, (j * 6 + i) * 4 + 4), (i * 4 + j) * 4);
    expect(out!.tensors.get('t')!.bytes).toEqual(expected);
    expect(report.madeContiguous).toEqual(['t']);
    expect(report.sharedCopies).toEqual([{ name: 't', sharesWith: 'full' }]);
  });

  it('writes tied weights once and records the other name in the metadata', async () => {
    const pickle = dictPickle([
      ['embed.weight', (b) => tensorOps(b, f32('0', [2, 2], { parameter: true })).raw(0x71, 5)],
      ['lm_head.weight', (b) => b.raw(0x68, 5)]
    ]);
    const { report, out } = await convert(torchZip(pickle, { '0': ramp(16) }));
    expect(report.aliases).toEqual([{ name: 'lm_head.weight', keptAs: 'embed.weight' }]);
    expect([...out!.tensors.keys()]).toEqual(['embed.weight']);
    expect(out!.metadata['lm_head.weight']).toBe('embed.weight');
  });
});

describe('convert: legacy format', () => {
  const MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

  function legacy(magic: number[], payload: (b: PickleBuilder) => void, storage: Uint8Array, count: number) {
    const b = new PickleBuilder().raw(...magic);
    b.proto(2).raw(0x4d, 0xe9, 0x03, 0x2e); // 1001
    b.proto(2).op('EMPTY_DICT').shortUnicode('little_endian').raw(0x88).op('SETITEM').raw('.');
    b.proto(2);
    payload(b);
    b.raw('.').proto(2).op('EMPTY_LIST').shortUnicode('0').op('APPEND').raw('.');
    const head = b.bytes();
    const file = new Uint8Array(head.length + 8 + storage.length);
    file.set(head);
    new DataView(file.buffer).setUint32(head.length, count, true);
    file.set(storage, head.length + 8);
    return file;
  }

  it('reads storage views (view_metadata) the way torch < 1.6 wrote them', async () => {
    const storage = ramp(32);
    const payload = (b: PickleBuilder) => {
      b.op('EMPTY_DICT').shortUnicode('v').global('torch._utils', '_rebuild_tensor_v2').op('MARK');
      b.op('MARK')
        .shortUnicode('storage')
        .global('torch', 'FloatStorage')
        .shortUnicode('0')
        .shortUnicode('cpu');
      int(b, 8);
      b.op('MARK').shortUnicode('view1');
      int(int(b, 2), 4).op('TUPLE').op('TUPLE').op('BINPERSID');
      int(b, 1);
      b.op('MARK');
      int(b, 2).op('TUPLE').op('MARK');
      int(b, 1).op('TUPLE').raw(0x89).global('collections', 'OrderedDict').op('EMPTY_TUPLE').op('REDUCE');
      b.op('TUPLE').op('REDUCE').op('SETITEM');
    };
    const { report, out } = await convert(legacy(MAGIC, payload, storage, 8));
    expect(report.ok).toBe(true);
    expect(out!.tensors.get('v')).toEqual({ dtype: 'F32', shape: [2], bytes: storage.subarray(12, 20) });
  });

  it('refuses a wrong magic number and converts past one computed by a call it does not run', async () => {
    const payload = (b: PickleBuilder) => {
      b.op('EMPTY_DICT').shortUnicode('w');
      tensorOps(b, f32('0', [2], { legacy: true }));
      b.op('SETITEM');
    };
    const wrong = [...MAGIC];
    wrong[5] ^= 1;
    expect((await convert(legacy(wrong, payload, ramp(8), 2))).report.error).toMatch(/magic number is wrong/);
    const computed = [
      0x80,
      0x02,
      ...new PickleBuilder()
        .global('builtins', 'eval')
        .shortUnicode('0x1950a86a20f9469cfc6c')
        .raw(0x85)
        .op('REDUCE')
        .raw('.')
        .bytes()
    ];
    const { report } = await convert(legacy(computed, payload, ramp(8), 2));
    expect(report.error).toBeUndefined();
    expect(report.inputs[0].notes[0]).toMatch(/not executed/);
    expect(report.notExecuted.map((n) => n.callee)).toEqual(['builtins.eval']);
  });
});

describe('convert: bounded on hostile structure', () => {
  it('stops on a list that contains itself, without hanging', async () => {
    const b = new PickleBuilder().proto(2).op('EMPTY_LIST').raw(0x71, 0).raw(0x68, 0).op('APPEND').raw('.');
    const { report } = await convert(torchZip(b.bytes(), {}));
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/no tensors/);
  });

  it('stops when shared containers would multiply the entries to visit (2^40 paths)', async () => {
    const b = new PickleBuilder().proto(2).op('MARK');
    tensorOps(b, f32('0', [1]));
    b.raw(0x6c); // LIST: [tensor]
    for (let i = 0; i < 40; i++) b.raw(0x71, 0).raw(0x68, 0).raw(0x86); // BINPUT 0, BINGET 0, TUPLE2
    const { report } = await convert(torchZip(b.raw('.').bytes(), { '0': ramp(4) }));
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/more than 1000000 entries/);
  });

  it('stops on containers nested deeper than it follows', async () => {
    const b = new PickleBuilder().proto(2);
    tensorOps(b, f32('0', [1]));
    for (let i = 0; i < 100; i++) b.raw(0x85);
    b.raw('.');
    const { report } = await convert(torchZip(b.bytes(), { '0': ramp(4) }));
    expect(report.error).toMatch(/more than 64 deep/);
  });
});

describe('plan: non-contiguous tensors', () => {
  function extraction(
    shape: number[],
    stride: number[],
    size: number,
    read = (o: number, n: number) => Promise.resolve(ramp(n, o))
  ): Extraction {
    const dtype = torchDtype('float32')!;
    const storage = { kind: 'storage' as const, key: '0', dtype, nbytes: size, viewOffsetBytes: 0 };
    return {
      format: 'pytorch-zip',
      tensors: [{ name: 'w', tensor: new Tensor(storage, dtype, 0, shape, stride, false) }],
      storages: new Map([['0', storedStorage(rangeSource('s', size, read), 0)]]),
      dropped: [],
      droppedNotListed: 0,
      notExecuted: [],
      refused: [],
      notes: []
    };
  }

  it('refuses to gather when the span is large and the runs are short', () => {
    const plan = planConversion([extraction([16384, 16384], [1, 16384], 2 ** 30)]);
    expect(plan.refused[0].reason).toMatch(/non-contiguous over 1073741824 bytes/);
  });

  it('gathers long runs straight from the input when the span is too large to hold', async () => {
    const shape = [2, 16384];
    const stride = [70_000_000, 1];
    const size = 4 * (70_000_000 + 16384);
    const ex = extraction(shape, stride, size);
    const plan = planConversion([ex]);
    expect(plan.tensors[0].mode).toBe('runs');
    const parts: Uint8Array[] = [];
    const sink = {
      write: async (c: Uint8Array) => void parts.push(c.slice()),
      close: async () => {},
      abort: async () => {}
    };
    await writeShard(buildHeader(plan.tensors, {}), sink, { hasher: await createSHA256() });
    const bytes = readSafetensors(concatBytes(parts)).tensors.get('w')!.bytes;
    expect(bytes.subarray(0, 65536)).toEqual(ramp(65536));
    expect(bytes.subarray(65536)).toEqual(ramp(65536, 280_000_000));
  });

  it('throws a ConvertError when there is nothing to convert', () => {
    const ex = extraction([1], [1], 4);
    expect(() => planConversion([{ ...ex, tensors: [] }])).toThrow(ConvertError);
  });
});

describe('convert: damaged input', () => {
  it('reports a truncated or corrupted checkpoint as not converted, never throwing', async () => {
    const good = torchZip(tensorDict({ a: f32('0', [4]), b: f32('1', [2, 2], { stride: [1, 2] }) }), {
      '0': ramp(16),
      '1': ramp(16, 7)
    });
    const outcomes = new Set<string>();
    for (let cut = 0; cut < good.length; cut += 7) {
      const { report } = await convert(good.subarray(0, cut));
      expect(report.ok).toBe(false);
      outcomes.add(report.error!.split(':')[1]?.trim().split(' ').slice(0, 3).join(' ') ?? '');
    }
    for (let at = 0; at < good.length; at += 5) {
      const bad = good.slice();
      bad[at] ^= 0xa5;
      const { report } = await convert(bad);
      if (report.ok) expect(report.outputs[0].headerMatches).toBe(true);
    }
    expect(outcomes.size).toBeGreaterThan(1);
  });
});
