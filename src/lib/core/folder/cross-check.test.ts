import { describe, expect, it } from 'vitest';
import type { FileReport } from '../findings';
import { applyFolderChecks, resolveRelative } from './cross-check';

const report = (path: string, extra: Partial<FileReport> = {}): FileReport => ({
  path,
  size: 1,
  formats: [],
  verdict: 'clean',
  complete: true,
  findings: [],
  ...extra
});

describe('folder cross-checks', () => {
  it('resolves paths inside the drop and refuses ones that leave it', () => {
    expect(resolveRelative('m/onnx/model.onnx', 'weights.bin')).toBe('m/onnx/weights.bin');
    expect(resolveRelative('m/onnx/model.onnx', '../data/./w.bin')).toBe('m/data/w.bin');
    expect(resolveRelative('model.onnx', '../w.bin')).toBeUndefined();
    expect(resolveRelative('m/model.onnx', '/etc/passwd')).toBeUndefined();
  });

  it('reports missing referenced files on the referring file', () => {
    const [config, code] = applyFolderChecks([
      report('m/config.json', {
        verdict: 'medium',
        references: [
          { kind: 'remote-code', target: 'modeling_x.py' },
          { kind: 'remote-code', target: 'configuration_x.py' }
        ]
      }),
      report('m/modeling_x.py')
    ]);
    expect(config.findings.map((f) => f.ruleId)).toEqual(['folder.missing.remote-code']);
    expect(config.findings[0].evidence.details?.target).toBe('configuration_x.py');
    expect(config.verdict).toBe('medium');
    expect(code.findings).toEqual([]);
  });

  it('compares expectations with the referenced file’s facts', () => {
    const [index] = applyFolderChecks([
      report('m/model.safetensors.index.json', {
        references: [
          { kind: 'shard', target: 'a.safetensors', expect: { 'safetensors.tensors': 3 } },
          { kind: 'shard', target: 'b.safetensors', expect: { 'safetensors.tensors': 2 } }
        ]
      }),
      report('m/a.safetensors', { facts: { 'safetensors.tensors': 3 } }),
      report('m/b.safetensors', { facts: { 'safetensors.tensors': 5 } })
    ]);
    expect(index.findings.map((f) => f.ruleId)).toEqual(['folder.mismatch.shard']);
    expect(index.verdict).toBe('medium');
  });
});
