import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { probeSource, scanSource } from '../../scan';
import { msg, str, u8, vint } from '../../../../../tests/unit/protobuf-encode';
import { locationProblem } from './external-data';
import { looksLikeOnnx, onnxFormat } from './index';
import { readOnnxModel } from './model-walk';

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/onnx/${name}`));
const scan = (data: Uint8Array, name = 'model.onnx') =>
  scanSource(memorySource(data, name), { formats: [onnxFormat] });
const rules = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.ruleId}:${f.severity}`);

describe('ONNX scanner on models written by the onnx package', () => {
  it('says nothing about a plain MLP but records its producer and opsets as facts', async () => {
    const r = await scan(fixture('benign_mlp.onnx'));
    expect(r.verdict).toBe('clean');
    expect(r.complete).toBe(true);
    const s = await readOnnxModel(memorySource(fixture('benign_mlp.onnx')));
    expect(s.producerName).toBe('safeload-fixtures');
    expect(s.opsets).toEqual([{ domain: '', version: 17 }]);
    expect([...s.operators.values()].map((o) => o.opType).sort()).toEqual(['Add', 'MatMul', 'Relu']);
  });

  it('flags external data climbing out of the folder or absolute, with the path as evidence', async () => {
    const traversal = await scan(fixture('external_traversal.onnx'));
    expect(rules(traversal)).toEqual(['onnx.external-data.traversal:high']);
    expect(traversal.findings[0].evidence.name).toBe('../../etc/passwd');
    const absolute = await scan(fixture('external_absolute.onnx'));
    expect(absolute.findings[0].evidence.name).toBe('/home/user/.ssh/id_rsa');
    expect(absolute.verdict).toBe('high');
  });

  it('lists in-folder external data as info, with its references', async () => {
    const r = await scan(fixture('external_local.onnx'));
    expect(rules(r)).toEqual(['onnx.external-data:info']);
    const refs = (await readOnnxModel(memorySource(fixture('external_local.onnx')))).externalData;
    expect(refs.map((x) => [x.tensor, x.location, x.offset, x.length])).toEqual([
      ['local', 'weights.bin', '0', '64']
    ]);
  });

  it('reports custom-domain operators (also inside If branches), runtime domains lower, and functions', async () => {
    const custom = await scan(fixture('custom_domain.onnx'));
    expect(rules(custom)).toEqual(['onnx.operator.custom-domain:medium']);
    expect(custom.findings[0].evidence.imports).toEqual(['evil.custom.Exfiltrate']);
    expect(custom.findings[0].evidence.details?.opsets).toBe('ai.onnx:17, evil.custom:1');
    const hidden = await scan(fixture('subgraph_custom.onnx'));
    expect(hidden.findings[0].evidence.imports).toEqual(['hidden.ops.Backdoor']);
    expect(rules(await scan(fixture('runtime_domain.onnx')))).toEqual(['onnx.operator.runtime-domain:low']);
    const fn = await scan(fixture('function.onnx'));
    expect(rules(fn)).toEqual(['onnx.function:medium']);
    expect(fn.findings[0].evidence.imports).toEqual(['local.fns.DoubleRelu']);
  });

  it('sniffs by content, not by name', async () => {
    const probe = await probeSource(memorySource(fixture('benign_mlp.onnx'), 'weights.bin'));
    expect(looksLikeOnnx(probe)).toBe(true);
    const savedModelLike = await probeSource(
      memorySource(u8(vint(1, 1), msg(2, msg(2, msg(1, str(1, 'a'), str(2, 'Const'))))), 'x.pb')
    );
    expect(looksLikeOnnx(savedModelLike)).toBe(false);
    expect(
      looksLikeOnnx(await probeSource(memorySource(new TextEncoder().encode('{"a": 1}'), 'x.json')))
    ).toBe(false);
  });

  it('is incomplete, never clean, when a model is cut at any point', async () => {
    const full = fixture('external_traversal.onnx');
    for (let cut = 1; cut < full.length; cut++) {
      const r = await scan(full.subarray(0, cut));
      const flagged = r.findings.some((f) => f.ruleId === 'onnx.external-data.traversal');
      expect(r.complete && !flagged, `cut at ${cut}: ${rules(r)}`).toBe(false);
    }
  });
});

describe('external data locations', () => {
  it('classifies locations the way onnx joins them onto the model folder', () => {
    expect(locationProblem('weights/w.bin')).toBeUndefined();
    expect(locationProblem('../w.bin')).toBe('parent');
    expect(locationProblem('a\\..\\..\\w.bin')).toBe('parent');
    expect(locationProblem('/etc/passwd')).toBe('absolute');
    expect(locationProblem('C:\\secrets.txt')).toBe('absolute');
    expect(locationProblem('file:///etc/passwd')).toBe('url');
    expect(locationProblem('')).toBe('empty');
  });
});
