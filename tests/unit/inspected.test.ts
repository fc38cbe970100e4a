import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import type { FileReport } from '../../src/lib/core/findings';
import { PickleBuilder } from './pickle-builder';
import { parseSafetensors } from '../../src/lib/core/formats/safetensors/header';
import {
  INSPECT_LIMITS,
  InspectedCollector,
  type InspectedPart,
  type InspectedTensors
} from '../../src/lib/core/inspected';
import { toJsonReport } from '../../src/lib/core/report/json';
import { scanSource } from '../../src/lib/core/scan';
import { openFileSource } from '../../src/lib/node/file-source';

const FIXTURES = join(import.meta.dirname, '../fixtures');

/** Scans a fixture through the Node file source, as the CLI does (so members have file offsets). */
async function scanFixture(rel: string): Promise<FileReport> {
  const { source, close } = await openFileSource(join(FIXTURES, rel), rel);
  try {
    return await scanSource(source);
  } finally {
    await close();
  }
}

function parts<K extends InspectedPart['kind']>(r: FileReport, kind: K) {
  return (r.inspected?.parts ?? []).filter((p) => p.kind === kind) as Extract<InspectedPart, { kind: K }>[];
}

describe('what the scanners inspected', () => {
  it('lists every pickle import, safe ones included, with how each is used', async () => {
    const report = await scanFixture('models/torch_state_dict.pt');
    const [imports] = parts(report, 'pickle-imports');
    expect(imports.path).toEqual(['models/torch_state_dict.pt', 'archive/data.pkl']);
    const names = imports.imports.map((i) => `${i.module}.${i.name}`);
    expect(names).toContain('collections.OrderedDict');
    expect(names).toContain('torch._utils._rebuild_tensor_v2');
    expect(imports.imports.every((i) => i.level === 'safe')).toBe(true);
    expect(imports.total).toBe(imports.imports.length);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('marks a dangerous import as called, and says where the member lies in the file', async () => {
    const report = await scanFixture('models/torch_zip_os_system.pt');
    const [imports] = parts(report, 'pickle-imports');
    expect(imports.imports[0]).toMatchObject({
      module: 'os',
      name: 'system',
      level: 'critical',
      called: true
    });
    const [member] = parts(report, 'member');
    expect(member.path).toEqual(imports.path);
    // The member's bytes in the file are the pickle itself: its first opcode is the GLOBAL that was flagged.
    const file = readFileSync(join(FIXTURES, 'models/torch_zip_os_system.pt'));
    const critical = report.findings.find((f) => f.severity === 'critical')!;
    expect(String.fromCharCode(file[member.fileOffset + critical.location.offset!])).toBe('c');
    expect(file.subarray(member.fileOffset, member.fileOffset + member.size).toString('latin1')).toContain(
      'os\nsystem'
    );
  });

  it('names a dynamic import computed at load time, never "?"', async () => {
    const b = new PickleBuilder().proto(4).global('builtins', 'str').op('EMPTY_TUPLE').op('REDUCE');
    b.shortUnicode('system').op('STACK_GLOBAL').op('EMPTY_TUPLE').op('REDUCE').op('STOP');
    const report = await scanSource(memorySource(b.bytes(), 'dyn.pkl'));
    const [imports] = parts(report, 'pickle-imports');
    const dynamic = imports.imports.find((i) => i.kind === 'dynamic')!;
    expect(dynamic).toMatchObject({ module: null, name: 'system', called: true });
    const finding = report.findings.find((f) => f.ruleId === 'pickle.import.dynamic')!;
    expect(finding.message).toContain('module computed at load time, name "system"');
    expect(finding.message).not.toContain('?.');
  });

  it('gives the safetensors tensor table with absolute offsets, and the metadata', async () => {
    const report = await scanFixture('safetensors/tiny-benign.safetensors');
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'safetensors/tiny-benign.safetensors')));
    const { header } = await parseSafetensors(memorySource(bytes));
    const [table] = parts(report, 'tensors');
    expect(table.total).toBe(header!.tensors.length);
    expect(table.tensors.map((t) => [t.name, t.dtype, t.shape, t.start, t.end])).toEqual(
      header!.tensors.map((t) => [
        t.name,
        t.dtype,
        t.shape,
        header!.dataStart + t.start,
        header!.dataStart + t.end
      ])
    );
    const [meta] = parts(report, 'metadata');
    expect(meta.entries).toEqual([...header!.metadata].map(([key, value]) => ({ key, value })));
  });

  it('gives GGUF metadata values by type and the tensor table', async () => {
    const report = await scanFixture('gguf/tiny-benign.gguf');
    const [meta] = parts(report, 'metadata');
    const byKey = new Map(meta.entries.map((e) => [e.key, e]));
    expect(byKey.get('general.architecture')).toEqual({
      key: 'general.architecture',
      type: 'string',
      value: 'llama'
    });
    expect(byKey.get('llama.context_length')?.value).toBe('2048');
    expect(byKey.get('tokenizer.ggml.add_bos_token')?.value).toBe('true');
    expect(byKey.get('tokenizer.ggml.tokens')?.value).toBe('array of 1000 string');
    const [table] = parts(report, 'tensors');
    expect(table.tensors[0]).toMatchObject({ name: 'token_embd.weight', dtype: 'F32', shape: [8, 4] });
    // F32 8×4 = 128 bytes, from the aligned start of the data area.
    expect(table.tensors[0].start).toBe(table.dataStart);
    expect(table.tensors[0].end! - table.tensors[0].start).toBe(128);
  });

  it('gives the ONNX opsets, producer and custom domains', async () => {
    const report = await scanFixture('onnx/custom_domain.onnx');
    const [meta] = parts(report, 'metadata');
    const rows = Object.fromEntries(meta.entries.map((e) => [e.key, e.value]));
    expect(rows['Opset ai.onnx']).toBe('17');
    expect(rows['Opset evil.custom']).toBe('1');
    expect(rows['Producer']).toBe('safeload-fixtures 1.0');
    expect(rows['Operators (custom) evil.custom']).toBe('1 node: Exfiltrate');
  });

  it('gives the Keras layer list, with the module a layer names', async () => {
    const report = await scanFixture('keras/module_os.h5');
    const [layers] = parts(report, 'layers');
    expect(layers.source).toBe('HDF5 attribute model_config');
    expect(layers.layers.map((l) => l.className)).toEqual(['InputLayer', 'Dense', 'system']);
    expect(layers.layers[2].module).toBe('os');
  });

  it('is part of the CLI JSON only when something was inspected', async () => {
    const json = toJsonReport([await scanFixture('gguf/tiny-benign.gguf')]);
    expect(json.files[0].inspected?.parts.map((p) => p.kind)).toEqual(['metadata', 'tensors']);
    const text = toJsonReport([await scanSource(memorySource(new TextEncoder().encode('hello'), 'a.txt'))]);
    expect('inspected' in text.files[0]).toBe(false);
  });
});

describe('inspected data is bounded', () => {
  it('keeps at most maxRows rows per file and maxParts parts, counting the rest', () => {
    const c = new InspectedCollector();
    const tensors = Array.from({ length: INSPECT_LIMITS.maxTensors }, (_, i) => ({
      name: `t${i}`,
      dtype: 'F32',
      shape: [1],
      start: i,
      end: i + 1
    }));
    for (let i = 0; i < INSPECT_LIMITS.maxParts + 3; i++) {
      c.add({ kind: 'tensors', tensors, total: tensors.length, dataStart: 0 }, ['f'], 'safetensors');
    }
    const result = c.result()!;
    expect(result.parts).toHaveLength(INSPECT_LIMITS.maxParts);
    expect(result.omitted).toBe(3);
    const rows = result.parts.reduce((n, p) => n + (p as InspectedTensors).tensors.length, 0);
    expect(rows).toBe(INSPECT_LIMITS.maxRows);
    expect((result.parts.at(-1) as InspectedTensors).total).toBe(INSPECT_LIMITS.maxTensors);
  });

  it('lists 100,000 safetensors tensors and counts those beyond', async () => {
    const n = INSPECT_LIMITS.maxTensors + 5;
    const header: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) header[`t${i}`] = { dtype: 'U8', shape: [1], data_offsets: [i, i + 1] };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + n);
    new DataView(bytes.buffer).setUint32(0, json.length, true);
    bytes.set(json, 8);
    const report = await scanSource(memorySource(bytes, 'many.safetensors'));
    const [table] = parts(report, 'tensors');
    expect(table.total).toBe(n);
    expect(table.tensors).toHaveLength(INSPECT_LIMITS.maxTensors);
    expect(table.tensors.at(-1)!.name).toBe(`t${INSPECT_LIMITS.maxTensors - 1}`);
  });
});
