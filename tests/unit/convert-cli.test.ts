import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSize } from '../../src/lib/cli/convert-command';
import { main } from '../../src/lib/cli/main';
import { PickleBuilder } from './pickle-builder';
import { ramp, readSafetensors, tensorDict, tensorOps, torchZip } from './torch-checkpoint';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('safeload convert', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'safeload-convert-cli-'));
    writeFileSync(
      join(dir, 'ok.pt'),
      torchZip(tensorDict({ w: { key: '0', numel: 4, shape: [2, 2] } }), { '0': ramp(16) })
    );
    const payload = new PickleBuilder().proto(2).op('EMPTY_DICT').shortUnicode('evil\u202e\ntxt.exe');
    payload.global('posix', 'system').shortUnicode('id').raw(0x85).op('REDUCE').op('SETITEM');
    payload.shortUnicode('w');
    tensorOps(payload, { key: '0', numel: 1, shape: [1] })
      .op('SETITEM')
      .raw('.');
    writeFileSync(join(dir, 'evil.pt'), torchZip(payload.bytes(), { '0': ramp(4) }));
    writeFileSync(
      join(dir, 'fnuz.pt'),
      torchZip(
        tensorDict({
          w: { storageClass: 'UntypedStorage', key: '0', numel: 2, shape: [2], v3Dtype: 'float8_e4m3fnuz' }
        }),
        { '0': ramp(2) }
      )
    );
    writeFileSync(join(dir, 'notes.txt'), 'hello');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes OUTPUT.safetensors, verified, whose sha256 is the one reported (exit 0)', async () => {
    const output = join(dir, 'ok.safetensors');
    const { code, out } = await run('convert', join(dir, 'ok.pt'), '-o', output, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const bytes = new Uint8Array(readFileSync(output));
    expect(report.outputs[0].sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(report.outputs[0]).toMatchObject({
      path: output,
      headerMatches: true,
      rescan: { verdict: 'clean' }
    });
    expect(readSafetensors(bytes).tensors.get('w')).toEqual({ dtype: 'F32', shape: [2, 2], bytes: ramp(16) });
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses to replace an existing output without --force (exit 2)', async () => {
    const output = join(dir, 'exists.safetensors');
    writeFileSync(output, 'keep me');
    const { code, err } = await run('convert', join(dir, 'ok.pt'), '-o', output);
    expect(code).toBe(2);
    expect(err).toMatch(/exists \(use --force/);
    expect(readFileSync(output, 'utf8')).toBe('keep me');
    expect((await run('convert', join(dir, 'ok.pt'), '-o', output, '--force')).code).toBe(0);
  });

  it('exits 1 and writes nothing when a tensor cannot be converted or the input is not a checkpoint', async () => {
    const fnuz = await run('convert', join(dir, 'fnuz.pt'), '-o', join(dir, 'fnuz.safetensors'));
    expect(fnuz.code).toBe(1);
    expect(fnuz.out).toMatch(/float8_e4m3fnuz has no safetensors equivalent/);
    expect(fnuz.out).toMatch(/NOT CONVERTED/);
    const text = await run('convert', join(dir, 'notes.txt'), '-o', join(dir, 'notes.safetensors'));
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/not a PyTorch checkpoint/);
    expect(existsSync(join(dir, 'fnuz.safetensors')) || existsSync(join(dir, 'notes.safetensors'))).toBe(
      false
    );
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('lists the payload it did not run with file-provided names escaped', async () => {
    const { code, out } = await run('convert', join(dir, 'evil.pt'), '-o', join(dir, 'evil.safetensors'));
    expect(code).toBe(0);
    expect(out).toContain('evil\\u202e\\ntxt.exe: result of calling posix.system [imports posix.system]');
    expect(out).toMatch(
      /calls in the pickle that were NOT executed:\n {4}- posix\.system ×1 \(REDUCE at byte \d+\)/
    );
    expect(out).not.toMatch(/\u202e/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('convert', join(dir, 'ok.pt'))).code).toBe(2);
    expect((await run('convert', '-o', join(dir, 'x.safetensors'))).code).toBe(2);
    expect(
      (await run('convert', join(dir, 'ok.pt'), '-o', join(dir, 'x'), '--max-shard-size', 'lots')).code
    ).toBe(2);
    expect((await run('convert', join(dir, 'missing.pt'), '-o', join(dir, 'm.safetensors'))).code).toBe(2);
  });

  it('reads shard sizes the way transformers does', () => {
    expect(parseSize('5GB')).toBe(5e9);
    expect(parseSize('2GiB')).toBe(2 ** 31);
    expect(parseSize('1048576')).toBe(1048576);
  });
});
