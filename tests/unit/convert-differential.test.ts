// Differential tests of `safeload convert` against PyTorch: checkpoints made at test time with torch are
// converted, then every tensor read back from the output (by a small Python reader of the safetensors
// layout) must equal what torch.load(weights_only=True) gives for the input.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/lib/cli/main';
import type { ConversionReport } from '../../src/lib/core/convert/report';
import { describeTorch, runPython } from '../torch-python';

const SCRIPTS = join(import.meta.dirname, '../fixtures/convert');
const TORCH_CHECKPOINTS = ['dtypes', 'tied', 'views', 'nested', 'custom', 'malicious'];

interface Check {
  ok: boolean;
  tensors: number;
  aliases: number;
  errors: string[];
}

async function convert(args: string[]): Promise<{ code: number; report: ConversionReport; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['convert', ...args, '--json'], {
    out: (t) => (out += t),
    err: (t) => (err += t)
  });
  return { code, report: JSON.parse(out || 'null'), err };
}

interface Pair {
  expected: string;
  output: string;
  numpy?: boolean;
}

function check(dir: string, pairs: Pair[]): Check[] {
  const file = join(dir, `pairs-${pairs.length}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(pairs));
  return JSON.parse(runPython([join(SCRIPTS, 'check_safetensors.py'), '--batch', file]));
}

describeTorch('convert: differential against torch.load', () => {
  let dir = '';
  let marker = '';
  const reports = new Map<string, ConversionReport>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safeload-convert-'));
    marker = join(dir, 'PAYLOAD-RAN');
    runPython([join(SCRIPTS, 'make_checkpoints.py'), join(dir, 'in'), marker]);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('converts zip and legacy checkpoints of every dtype, tied weights, views and nesting faithfully', async () => {
    const pairs: Pair[] = [];
    for (const name of TORCH_CHECKPOINTS) {
      for (const variant of [name, `${name}-legacy`]) {
        const input = join(dir, 'in', `${variant}.pt`);
        const output = join(dir, `${variant}.safetensors`);
        const { code, report } = await convert([input, '-o', output]);
        expect({ variant, code, error: report.error }).toEqual({ variant, code: 0, error: undefined });
        reports.set(variant, report);
        const twin = join(dir, 'in', `${variant}.expected.pt`);
        pairs.push({ expected: existsSync(twin) ? twin : input, output });
      }
    }
    const results = check(dir, pairs);
    results.forEach((r, i) =>
      expect({ file: pairs[i].output, ...r }).toMatchObject({ ok: true, errors: [] })
    );
    for (const format of ['', '-legacy']) {
      expect(reports.get(`dtypes${format}`)!.inputs[0].format).toBe(
        format ? 'pytorch-legacy' : 'pytorch-zip'
      );
      expect(reports.get(`tied${format}`)!.aliases).toEqual([
        { name: 'lm_head.weight', keptAs: 'embed.weight' }
      ]);
      expect(reports.get(`views${format}`)!.madeContiguous.sort()).toEqual(
        ['channels_last', 'expanded', 'offset_noncontiguous', 'strided', 'transposed'].sort()
      );
      expect(reports.get(`nested${format}`)!.dropped.map((d) => d.path)).toEqual([
        'epoch',
        'name',
        'losses',
        'optimizer',
        'config'
      ]);
      expect(reports.get(`custom${format}`)!.dropped).toEqual([
        expect.objectContaining({ path: 'args', imports: ['argparse.Namespace'] }),
        expect.objectContaining({ path: 'config', imports: ['__main__.CustomConfig'] })
      ]);
    }
  }, 300_000);

  it('converts a malicious checkpoint without running its payload, and lists the payload as dropped', async () => {
    for (const variant of ['malicious', 'malicious-legacy']) {
      const output = join(dir, `${variant}.checked.safetensors`);
      const { code, report } = await convert([join(dir, 'in', `${variant}.pt`), '-o', output]);
      expect(code).toBe(0);
      expect(existsSync(marker)).toBe(false);
      expect(report.inputs[0].scan?.verdict).toBe('critical');
      expect(report.dropped).toEqual([
        { path: 'evil', what: 'result of calling posix.system', imports: ['posix.system'], tensors: 0 }
      ]);
      expect(report.notExecuted).toEqual([expect.objectContaining({ callee: 'posix.system', count: 1 })]);
      expect(report.outputs[0].rescan?.verdict).toBe('clean');
    }
    // Control: the payload is live — loading the file the usual way runs it.
    runPython(['-c', `import torch; torch.load(${JSON.stringify(join(dir, 'in', 'malicious.pt'))})`]);
    expect(existsSync(marker)).toBe(true);
  });

  it('converts .npy (C and Fortran order) and .npz (stored and deflated) like numpy.load reads them', async () => {
    const pairs: Pair[] = [];
    for (const file of ['array.npy', 'fortran.npy', 'stored.npz', 'compressed.npz']) {
      const input = join(dir, 'in', file);
      const output = join(dir, `${file}.safetensors`);
      const { code, report } = await convert([input, '-o', output]);
      expect({ file, code, error: report.error }).toEqual({ file, code: 0, error: undefined });
      pairs.push({ expected: input, output, numpy: true });
    }
    for (const r of check(dir, pairs)) expect(r).toMatchObject({ ok: true, errors: [] });
  });

  it('converts a sharded Hub folder into safetensors shards with model.safetensors.index.json', async () => {
    const out = join(dir, 'sharded-out');
    const { code, report } = await convert([
      join(dir, 'in', 'sharded'),
      '-o',
      out,
      '--max-shard-size',
      '40KB'
    ]);
    expect(code).toBe(0);
    expect(report.inputs).toHaveLength(2);
    expect(report.outputs.map((o) => o.path.split('/').pop())).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors'
    ]);
    expect(report.index?.path).toBe(join(out, 'model.safetensors.index.json'));
    const [result] = check(dir, [{ expected: join(dir, 'in', 'sharded.expected.pt'), output: out }]);
    expect(result).toMatchObject({ ok: true, tensors: 6, errors: [] });
  });

  it('streams a multi-GB sparse checkpoint (a 2 GiB+ storage) with the same values as torch.load', async () => {
    const input = join(dir, 'big.pt');
    const output = join(dir, 'big.safetensors');
    const numel = 2 ** 29 + 2 ** 18;
    runPython([join(SCRIPTS, 'make_checkpoints.py'), '--big', input, String(numel)]);
    const { code, report } = await convert([input, '-o', output]);
    expect(code).toBe(0);
    expect(report.bytes).toBe(numel * 4 + 8 * 4);
    expect(statSync(output).size).toBe(report.outputs[0].size);
    rmSync(join(dir, 'in'), { recursive: true, force: true });
    const [result] = check(dir, [{ expected: input, output }]);
    expect(result).toMatchObject({ ok: true, tensors: 2, errors: [] });
  }, 900_000);
});
