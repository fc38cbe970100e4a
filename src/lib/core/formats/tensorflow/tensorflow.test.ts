import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { probeSource, scanSource } from '../../scan';
import { bytes, msg, str, u8, vint } from '../../../../../tests/unit/protobuf-encode';
import { looksLikeGraphDef, looksLikeSavedModel, tensorflowFormat } from './index';

const node = (name: string, op: string, ...extra: number[][]) => msg(1, str(1, name), str(2, op), ...extra);
/** A Const node whose tensor_content (AttrValue.tensor = 8 → TensorProto.tensor_content = 4) is `size` bytes. */
const bigConst = (size: number) =>
  node('weights', 'Const', msg(5, str(1, 'value'), msg(2, msg(8, bytes(4, new Array(size).fill(7))))));
const graph = (...nodes: number[][]) => nodes.flat();
const savedModel = (graphDef: number[], tags = ['serve']) =>
  u8(vint(1, 1), msg(2, msg(1, ...tags.map((t) => str(4, t)), str(5, '2.15.0')), msg(2, graphDef)));
const scan = (data: Uint8Array, name = 'saved_model.pb') =>
  scanSource(memorySource(data, name), { formats: [tensorflowFormat] });
const rules = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.ruleId}:${f.severity}`);

describe('TensorFlow scanner', () => {
  it('finds nothing in a graph of standard ops and checkpoint ops, and lists them in facts', async () => {
    const r = await scan(
      savedModel(
        graph(node('x', 'Placeholder'), node('m', 'MatMul'), node('save', 'SaveV2'), node('r', 'RestoreV2'))
      )
    );
    expect(r.verdict).toBe('clean');
    expect(r.complete).toBe(true);
  });

  it('flags ReadFile/WriteFile as file access and PyFunc as a Python callback, with node names', async () => {
    const r = await scan(
      savedModel(
        graph(
          node('path', 'Const'),
          node('leak', 'ReadFile'),
          node('drop', 'WriteFile'),
          node('cb', 'EagerPyFunc')
        )
      )
    );
    expect(rules(r)).toEqual(['tensorflow.op.python:high', 'tensorflow.op.file-access:high']);
    expect(r.findings[1].evidence.imports).toEqual([
      'ReadFile ×1 (first node: leak)',
      'WriteFile ×1 (first node: drop)'
    ]);
    expect(r.findings[1].evidence.details?.tags).toBe('serve');
  });

  it('looks inside function libraries and does not mistake calls to library functions for custom ops', async () => {
    const fn = msg(2, msg(1, msg(1, str(1, '__inference_call_7')), msg(3, str(1, 'rf'), str(2, 'ReadFile'))));
    const r = await scan(
      savedModel([...graph(node('call', '__inference_call_7'), node('odd', 'MyCustomKernel')), ...fn])
    );
    expect(rules(r)).toEqual(['tensorflow.op.file-access:high', 'tensorflow.op.unknown:medium']);
    expect(r.findings[1].evidence.imports).toEqual(['MyCustomKernel ×1 (first node: odd)']);
  });

  it('reads a frozen GraphDef, skipping large constants by offset', async () => {
    const data = u8(graph(bigConst(200_000), node('leak', 'ReadFile')));
    const probe = await probeSource(memorySource(data, 'frozen.pb'));
    expect(looksLikeGraphDef(probe)).toBe(true);
    expect(looksLikeSavedModel(probe)).toBe(false);
    expect(rules(await scan(data, 'frozen.pb'))).toEqual(['tensorflow.op.file-access:high']);
  });

  it('is incomplete at every cut of a SavedModel, never clean and complete', async () => {
    const full = savedModel(graph(node('x', 'Placeholder'), node('leak', 'ReadFile')));
    for (let cut = 1; cut < full.length; cut++) {
      const r = await scan(full.subarray(0, cut));
      const flagged = r.findings.some((f) => f.ruleId === 'tensorflow.op.file-access');
      expect(!r.complete || flagged, `cut at ${cut}`).toBe(true);
    }
  });

  it('does not claim ONNX or random text', async () => {
    const onnxLike = await probeSource(
      memorySource(u8(vint(1, 8), str(2, 'pytorch'), msg(7, node('n', 'Relu'))), 'm.onnx')
    );
    expect(looksLikeSavedModel(onnxLike) || looksLikeGraphDef(onnxLike)).toBe(false);
    const text = await probeSource(
      memorySource(new TextEncoder().encode('hello world, not a graph'), 'a.txt')
    );
    expect(looksLikeSavedModel(text) || looksLikeGraphDef(text)).toBe(false);
  });
});
