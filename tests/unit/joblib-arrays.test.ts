import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { scanSource } from '../../src/lib/core/scan';
import { joblibArray, zip } from './fail-closed/archives';

const real = new Uint8Array(
  readFileSync(join(import.meta.dirname, '../fixtures/models/joblib_mixed_arrays.joblib'))
);
const FIXTURES = join(import.meta.dirname, '../fixtures/models');
const scan = (bytes: Uint8Array) => scanSource(memorySource(bytes, 'model.joblib'));
const PAYLOAD = new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.");
const u1Array = (flags: number) => joblibArray({ dtype: 'u1', data: PAYLOAD, length: PAYLOAD.length, flags });

function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes);
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  const out = bytes.slice();
  out.set(
    Uint8Array.from(to, (c) => c.charCodeAt(0)),
    at
  );
  return out;
}

describe('joblib arrays inside the pickle stream', () => {
  it('steps over raw arrays and analyses object arrays as nested pickles (real joblib file)', async () => {
    const report = await scan(real);
    expect(report).toMatchObject({ verdict: 'clean', complete: true });
  });

  it('is never clean when cut anywhere inside the stream', async () => {
    for (let cut = 16; cut < real.length; cut += Math.max(1, Math.floor(real.length / 40))) {
      const report = await scan(real.subarray(0, cut));
      expect(report.complete, `cut at ${cut}`).toBe(false);
      expect(report.verdict, `cut at ${cut}`).not.toBe('clean');
    }
  });

  it('sizes a void dtype from the state numpy reads, and refuses one the stream gave none', async () => {
    const sized = await scan(replaceAscii(real, '\x8c\x02f4', '\x8c\x02V4'));
    expect(sized).toMatchObject({ verdict: 'clean', complete: true });
    const forest = await scanSource(
      memorySource(new Uint8Array(readFileSync(join(FIXTURES, 'sklearn_forest.joblib'))), 'forest.joblib')
    );
    expect(forest.complete).toBe(true);
    const stateless = await scan(joblibArray({ dtype: 'V29', data: PAYLOAD, length: 1, state: false }));
    expect(stateless.complete).toBe(false);
    expect(JSON.stringify(stateless.findings)).toContain('dtype');
  });

  it('reads "raw" array bytes as the nested pickle joblib loads when the dtype state says it holds objects', async () => {
    // numpy.dtype.__setstate__ trusts the flags: a 'u1' dtype with NPY_ITEM_HASOBJECT makes joblib call
    // pickle.load where the array bytes are (checked with joblib.load: the payload runs).
    const forged = await scan(u1Array(1));
    expect(forged.verdict).toBe('critical');
    expect(forged.findings[0].evidence).toMatchObject({ module: 'os', name: 'system' });
    expect(forged.findings[0].message).not.toMatch(/^Read as pickle.load/);
  });

  it("reports what pickle.load and torch.load run where joblib steps over a raw array's bytes", async () => {
    // pickle.load and torch.load do not know joblib's arrays: the bytes after the wrapper's BUILD are opcodes to
    // them (checked with Debian's python3: pickle.load and torch.load(weights_only=False) run the payload).
    const enc = new TextEncoder();
    const stream = u1Array(0);
    const asTorch = zip([
      { name: 'archive/data.pkl', data: stream },
      { name: 'archive/data/0', data: new Uint8Array(16) },
      { name: 'archive/version', data: enc.encode('3\n') }
    ]);
    for (const [bytes, name] of [
      [stream, 'model.joblib'],
      [stream, 'model.pkl'],
      [asTorch, 'pytorch_model.bin']
    ] as const) {
      const report = await scanSource(memorySource(bytes, name));
      expect(report.verdict, name).toBe('critical');
      const call = report.findings.find((f) => f.ruleId === 'pickle.call.dangerous');
      expect(call?.evidence, name).toMatchObject({ module: 'os', name: 'system' });
      expect(call?.message, name).toMatch(/^Read as pickle.load and torch.load read this stream/);
    }
  });

  it('adds nothing for real joblib files, whose array bytes are no pickle to pickle.load', async () => {
    for (const file of ['joblib_mixed_arrays.joblib', 'sklearn_forest.joblib']) {
      const report = await scanSource(memorySource(new Uint8Array(readFileSync(join(FIXTURES, file))), file));
      expect(report.complete, file).toBe(true);
      expect(
        report.findings.filter((f) => f.message.startsWith('Read as pickle.load')),
        file
      ).toEqual([]);
    }
  });
});
