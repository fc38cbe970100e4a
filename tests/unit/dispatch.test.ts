/**
 * How scan.ts decides what a file is: positive identification, the pickle reading every file and member
 * gets, and what a file that nothing identifies is rated. The issue's own attacks come first.
 */
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import type { FileReport } from '../../src/lib/core/findings';
import type { ScanLimits } from '../../src/lib/core/limits';
import { scanSource } from '../../src/lib/core/scan';
import { tar, zip } from './fail-closed/archives';
import { concat } from './fail-closed/streams';

const enc = new TextEncoder();
const PAYLOAD = enc.encode("cos\nsystem\n(S'echo pwned'\ntR.");
const rules = (r: FileReport) => r.findings.map((f) => f.ruleId);

function scan(bytes: Uint8Array, name: string, limits: Partial<ScanLimits> = {}): Promise<FileReport> {
  return scanSource(memorySource(bytes, name), { limits });
}

/** BINBYTES of `n` bytes, POP, then the payload: the first opcode's operand hides the rest from a probe. */
function longFirstOperand(n: number): Uint8Array {
  return concat(
    Uint8Array.of(0x42, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0),
    new Uint8Array(n),
    enc.encode('0'),
    PAYLOAD
  );
}

function torchZip(dataPkl: Uint8Array, storage = new Uint8Array(16)): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', data: dataPkl },
    { name: 'archive/data/0', data: storage },
    { name: 'archive/version', data: enc.encode('3\n') }
  ]);
}

describe('the attacks in the issue', () => {
  it('a 100 kB first operand, then POP and the payload: critical as a file under any name', async () => {
    for (const name of ['x', 'notes.txt', 'model.pkl']) {
      expect((await scan(longFirstOperand(100_000), name)).verdict).toBe('critical');
    }
  });

  it('the same stream as archive/data.pkl of a PyTorch zip: critical', async () => {
    const r = await scan(torchZip(longFirstOperand(100_000)), 'model.pt');
    expect(r.verdict).toBe('critical');
    expect(r.formats).toContain('pytorch-zip');
  });

  it('100,001 NONE, then the payload: critical and fully analysed', async () => {
    const r = await scan(concat(new Uint8Array(100_001).fill(0x4e), PAYLOAD), 'model.pkl');
    expect(r).toMatchObject({ verdict: 'critical', complete: true });
  });

  it('an unrecognised member below the top level gets a finding', async () => {
    const r = await scan(zip([{ name: 'weights.bin', data: Uint8Array.of(0, 1, 2, 3) }]), 'bundle.zip');
    expect(r.findings.find((f) => f.ruleId === 'scan.unrecognized')).toMatchObject({
      severity: 'medium',
      location: { path: ['bundle.zip', 'weights.bin'] }
    });
    expect(r.complete).toBe(false);
  });
});

describe('what nothing identifies', () => {
  it('plain text is info and complete; model-named bytes are medium and incomplete', async () => {
    const text = await scan(enc.encode('# A model card\n\nThis model is great.\n'), 'README.md');
    expect(text).toMatchObject({ verdict: 'info', complete: true });
    expect(rules(text)).toEqual(['scan.unrecognized']);
    for (const name of ['pytorch_model.bin', 'model.pt', 'data.pkl', 'clf.joblib', 'x.npy', 'w.pkl.gz']) {
      const r = await scan(Uint8Array.of(0, 0xff, 0x13, 0x37), name);
      expect(r, name).toMatchObject({ verdict: 'medium', complete: false });
    }
  });

  it('a member is judged by its name, or by what its container says it is', async () => {
    const r = await scan(
      tar([
        { name: 'notes.txt', data: enc.encode('hello') },
        { name: 'model/weights.pt', data: Uint8Array.of(0, 1) }
      ]),
      'bundle.tar'
    );
    expect(
      r.findings.filter((f) => f.ruleId === 'scan.unrecognized').map((f) => [f.location.path[1], f.severity])
    ).toEqual([
      ['notes.txt', 'info'],
      ['model/weights.pt', 'medium']
    ]);
    // The storages of a PyTorch zip are read raw by torch.load: no finding for their being no pickle.
    const torch = await scan(torchZip(Uint8Array.of(0x80, 2, 0x7d, 0x2e), Uint8Array.of(0, 1, 2, 3)), 'm.pt');
    expect(torch).toMatchObject({ verdict: 'clean', complete: true });
    // A damaged data.pkl is model data: medium whatever its bytes.
    const damaged = await scan(torchZip(Uint8Array.of(0xff, 0xfe)), 'm.pt');
    expect(damaged.findings.find((f) => f.location.path[1] === 'archive/data.pkl')?.severity).toBe('medium');
  });

  it('an empty file is read in full: info', async () => {
    expect(await scan(new Uint8Array(0), 'model.safetensors')).toMatchObject({
      verdict: 'info',
      complete: true
    });
  });

  it('a cut pickle named as anything is "truncated — not fully analysed", medium', async () => {
    const cut = Uint8Array.of(0x80, 4, 0x95, 40, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x94);
    for (const name of ['model.pkl', 'download.part']) {
      const r = await scan(cut, name);
      expect(r).toMatchObject({ verdict: 'medium', complete: false });
      expect(rules(r)).toContain('pickle.truncated');
    }
  });
});

describe('positive identification', () => {
  it('a pickle named .safetensors is reported as the pickle it is, not as a damaged safetensors', async () => {
    const r = await scan(PAYLOAD, 'model.safetensors');
    expect(r.verdict).toBe('critical');
    expect(r.formats).toEqual(['pickle']);
    expect(rules(r).some((id) => id.startsWith('safetensors'))).toBe(false);
  });

  it('a format that rejects the bytes explains them when nothing else identifies them', async () => {
    const r = await scan(enc.encode('not json at all'), 'model.safetensors');
    expect(r.formats).toEqual([]);
    expect(r.complete).toBe(false);
    expect(rules(r).some((id) => id.startsWith('safetensors'))).toBe(true);
  });

  it('a cut zip is not a zip: its damage is reported, never clean', async () => {
    const whole = zip([{ name: 'a.pkl', data: PAYLOAD }]);
    const r = await scan(whole.subarray(0, 40), 'bundle.zip');
    expect(r.complete).toBe(false);
    expect(r.verdict).not.toBe('clean');
  });

  it('a polyglot is read both ways: the pickle in front of a zip and the zip', async () => {
    const r = await scan(concat(PAYLOAD, zip([{ name: 'b.pkl', data: PAYLOAD }])), 'both.zip');
    expect(r.formats).toEqual(expect.arrayContaining(['zip', 'pickle']));
    expect(
      r.findings.filter((f) => f.ruleId === 'pickle.call.dangerous').map((f) => f.location.path)
    ).toEqual([['both.zip', 'b.pkl'], ['both.zip']]);
  });

  it('a zip that is a tar member is scanned once, as that member (its end is also the tar’s end)', async () => {
    const inner = zip([{ name: 'b.pkl', data: PAYLOAD }]);
    const r = await scan(
      tar([
        { name: 'readme.txt', data: enc.encode('hello') },
        { name: 'inner.zip', data: inner }
      ]),
      'bundle.tar'
    );
    expect(r.formats).toEqual(expect.arrayContaining(['tar', 'zip']));
    expect(rules(r)).not.toContain('zip.prepended-data');
    expect(
      r.findings.filter((f) => f.ruleId === 'pickle.call.dangerous').map((f) => f.location.path)
    ).toEqual([['bundle.tar', 'inner.zip', 'b.pkl']]);
  });

  it('a zip after a tar’s members (in no member) is still read as a zip of the whole file', async () => {
    const both = concat(
      tar([{ name: 'readme.txt', data: enc.encode('hello') }]),
      zip([{ name: 'b.pkl', data: PAYLOAD }])
    );
    const r = await scan(both, 'bundle.tar');
    expect(r.formats).toEqual(expect.arrayContaining(['tar', 'zip']));
    expect(rules(r)).toContain('zip.prepended-data');
    expect(
      r.findings.filter((f) => f.ruleId === 'pickle.call.dangerous').map((f) => f.location.path)
    ).toEqual([['bundle.tar', 'b.pkl']]);
  });

  it('findings past the per-file limit still count in the verdict, whoever reports them', async () => {
    const members = Array.from({ length: 12 }, (_, i) => ({
      name: `../escape${i}.txt`,
      data: enc.encode('x')
    }));
    const r = await scan(zip(members), 'bundle.zip', { maxFindings: 3 });
    expect(r.verdict).toBe('high');
    expect(rules(r)).toContain('scan.findings-truncated');
  });
});
