import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { FORMATS } from '../index';
import { scanSource } from '../../scan';
import { analyseKerasConfig } from './config-analysis';
import { kerasH5Format, kerasJsonFormat } from './index';
import { Hdf5RootReader } from './hdf5-attributes';

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/keras/${name}`));
const scanH5 = (data: Uint8Array, name = 'model.h5') =>
  scanSource(memorySource(data, name), { formats: [kerasH5Format] });
const rules = (r: Awaited<ReturnType<typeof scanH5>>) => r.findings.map((f) => `${f.ruleId}:${f.severity}`);

describe('Keras config analysis', () => {
  const layer = (obj: object) => ({ class_name: 'Sequential', config: { layers: [obj] } });

  it('treats Lambda bytecode (Keras 2 list, __tuple__, Keras 3 __lambda__) as critical with the names inside', () => {
    const code = btoa('\xe3\x00\x00os\x00system\x00');
    for (const fn of [
      [code, null, null],
      { class_name: '__tuple__', items: [code, null, null] },
      { class_name: '__lambda__', config: { code } }
    ]) {
      const r = analyseKerasConfig(
        layer({ class_name: 'Lambda', config: { function: fn, function_type: 'lambda', module: '__main__' } })
      );
      expect(r.issues.map((i) => `${i.ruleId}:${i.severity}`)).toEqual(['keras.lambda:critical']);
      expect(r.issues[0].names).toEqual(['os', 'system']);
    }
  });

  it('resolves module and registered_name: dangerous roots critical, unknown packages medium, Keras silent', () => {
    const r = analyseKerasConfig({
      class_name: 'Functional',
      config: {
        layers: [
          { module: 'keras.layers', class_name: 'Dense', config: {}, registered_name: null },
          { module: 'subprocess', class_name: 'Popen', config: {} },
          { module: 'acme.layers', class_name: 'Norm', config: {}, registered_name: 'acme>Norm' },
          { class_name: 'Custom>Adam', config: {} },
          { class_name: 'MysteryLayer', config: {} }
        ]
      }
    });
    expect(r.issues.map((i) => `${i.ruleId}:${i.severity}`)).toEqual([
      'keras.module.dangerous:critical',
      'keras.module.untrusted:medium'
    ]);
    expect(r.issues[1].names).toEqual([
      'module:acme.layers.Norm',
      'registered:acme>Norm',
      'class:MysteryLayer'
    ]);
  });

  it('catches safe-mode switches and TorchModuleWrapper anywhere', () => {
    const r = analyseKerasConfig({
      a: [{ b: 'keras.config.enable_unsafe_deserialization' }],
      c: { class_name: 'TorchModuleWrapper', config: {} }
    });
    expect(r.issues.map((i) => i.ruleId).sort()).toEqual([
      'keras.torch-module',
      'keras.unsafe-deserialization'
    ]);
  });

  it('stops at depth and node bounds and says so', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(analyseKerasConfig(deep).truncated).toMatch(/deeper than 256/);
    const wide = { layers: new Array(5000).fill({ class_name: 'Dense', config: {} }) };
    expect(analyseKerasConfig(wide, { maxDepth: 50, maxNodes: 1000 }).truncated).toMatch(/more than 1000/);
  });
});

describe('Keras HDF5 (.h5) files written by h5py', () => {
  it('reads model_config from variable- and fixed-length strings, superblock v0 and v3', async () => {
    for (const name of ['benign_sequential.h5', 'benign_fixed_string.h5', 'benign_latest_format.h5']) {
      const attrs = await new Hdf5RootReader(memorySource(fixture(name)), 1 << 20).rootAttributes();
      const config = attrs.attributes.find((a) => a.name === 'model_config');
      expect(JSON.parse(config!.value!).class_name, name).toBe('Sequential');
      const r = await scanH5(fixture(name));
      expect([r.verdict, r.complete], name).toEqual(['clean', true]);
    }
  });

  it('flags Lambda bytecode, a module os layer and custom objects', async () => {
    expect(rules(await scanH5(fixture('lambda_marshal.h5')))).toEqual(['keras.lambda:critical']);
    expect(rules(await scanH5(fixture('lambda_marshal_fixed.h5')))).toEqual(['keras.lambda:critical']);
    const os = await scanH5(fixture('module_os.h5'));
    expect(rules(os)).toEqual(['keras.module.dangerous:critical']);
    expect(os.findings[0].evidence.imports).toEqual(['os.system']);
    expect(os.findings[0].evidence.details?.kerasVersion).toBe('2.15.0');
    expect(rules(await scanH5(fixture('custom_object.h5')))).toEqual(['keras.module.untrusted:medium']);
  });

  it('says it could not check attributes kept in dense storage', async () => {
    const r = await scanH5(fixture('dense_attributes.h5'));
    expect(r.complete).toBe(false);
    expect(r.findings[0].message).toMatch(/dense storage/);
  });

  it('never reports a truncated Lambda model as complete and clean', async () => {
    const full = fixture('lambda_marshal.h5');
    const cuts = new Set<number>();
    for (let cut = 8; cut < full.length; cut += 37) cuts.add(cut);
    for (const cut of cuts) {
      const r = await scanH5(full.subarray(0, cut));
      const flagged = r.findings.some((f) => f.ruleId === 'keras.lambda');
      expect(!r.complete || flagged, `cut at ${cut}`).toBe(true);
    }
  });

  it('survives hostile header fields: huge sizes, self-referencing continuations, bad versions', async () => {
    const base = fixture('benign_sequential.h5');
    for (let at = 8; at < 0x200; at++) {
      for (const value of [0xff, 0x00, 0x7f]) {
        const bad = base.slice();
        bad[at] = value;
        const r = await scanH5(bad);
        expect(
          r.findings.every((f) => f.ruleId !== 'scan.error'),
          `byte ${at}=${value}`
        ).toBe(true);
      }
    }
  });
});

describe('.keras archives through the full registry', () => {
  it('finds the Keras config inside the zip and judges it', async () => {
    const scanKeras = (name: string) => scanSource(memorySource(fixture(name), name), { formats: FORMATS });
    expect((await scanKeras('benign.keras')).verdict).toBe('clean');
    const lambda = await scanKeras('lambda.keras');
    expect(lambda.verdict).toBe('critical');
    expect(lambda.findings.find((f) => f.ruleId === 'keras.lambda')?.location.path).toEqual([
      'lambda.keras',
      'config.json'
    ]);
    expect((await scanKeras('module_subprocess.keras')).findings.map((f) => f.ruleId)).toContain(
      'keras.module.dangerous'
    );
  });

  it('only takes JSON that looks like a Keras config', async () => {
    const probe = (text: string) => ({
      head: new TextEncoder().encode(text),
      tail: new Uint8Array(),
      name: 'c.json',
      size: text.length
    });
    expect(kerasJsonFormat.sniff(probe('{"class_name": "Sequential", "config": {}}'))).toBe(true);
    expect(kerasJsonFormat.sniff(probe('{"architectures": ["Bert"], "model_type": "bert"}'))).toBe(false);
  });
});

describe('Keras layers that act while loading', () => {
  const model = (...layers: object[]) => ({ class_name: 'Sequential', config: { layers } });
  const rated = (cfg: object) => analyseKerasConfig(cfg).issues.map((i) => `${i.ruleId}:${i.severity}`);

  it('lookup layers and tokenizers given a vocabulary path read that file (high)', () => {
    for (const class_name of ['StringLookup', 'IntegerLookup', 'TextVectorization']) {
      const issues = analyseKerasConfig(
        model({ class_name, config: { vocabulary: '/home/user/.ssh/id_rsa' } })
      );
      expect(issues.issues.map((i) => `${i.ruleId}:${i.severity}`)).toEqual(['keras.reads-file:high']);
      expect(issues.issues[0].title).toContain('/home/user/.ssh/id_rsa');
    }
    expect(
      rated(
        model({
          class_name: 'WordPieceTokenizer',
          module: 'keras_nlp.tokenizers',
          config: { vocabulary: 'vocab.txt' }
        })
      )
    ).toEqual(['keras.reads-file:high']);
  });

  it('a lookup with an in-config vocabulary list is silent (benign twin)', () => {
    expect(rated(model({ class_name: 'StringLookup', config: { vocabulary: ['a', 'b', 'c'] } }))).toEqual([]);
    expect(rated(model({ class_name: 'IntegerLookup', config: { vocabulary: null } }))).toEqual([]);
  });

  it('TFSMLayer pointing at an external SavedModel is high', () => {
    expect(
      rated(
        model({ class_name: 'TFSMLayer', config: { filepath: '/tmp/other_model', call_endpoint: 'serve' } })
      )
    ).toEqual(['keras.external-model:high']);
  });

  it('finds a Lambda nested inside TimeDistributed and Bidirectional wrappers', () => {
    const code = btoa('\xe3\x00\x00os\x00system\x00');
    const lambda = {
      class_name: 'Lambda',
      config: { function: [code, null, null], function_type: 'lambda' }
    };
    expect(rated(model({ class_name: 'TimeDistributed', config: { layer: lambda } }))).toEqual([
      'keras.lambda:critical'
    ]);
    expect(
      rated(
        model({
          class_name: 'Bidirectional',
          config: { layer: { class_name: 'TimeDistributed', config: { layer: lambda } } }
        })
      )
    ).toEqual(['keras.lambda:critical']);
  });

  it('a safe_mode: false switch inside the config is critical', () => {
    expect(rated(model({ class_name: 'Dense', config: { units: 1 }, safe_mode: false }))).toEqual([
      'keras.unsafe-deserialization:critical'
    ]);
  });
});
