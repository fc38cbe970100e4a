import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { scanSource } from '../../src/lib/core/scan';

const real = new Uint8Array(
  readFileSync(join(import.meta.dirname, '../fixtures/models/joblib_mixed_arrays.joblib'))
);
const scan = (bytes: Uint8Array) => scanSource(memorySource(bytes, 'model.joblib'));

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

  it('refuses to size a structured dtype (its fields could hide objects)', async () => {
    const report = await scan(replaceAscii(real, '\x8c\x02f4', '\x8c\x02V4'));
    expect(report.complete).toBe(false);
    expect(JSON.stringify(report.findings)).toContain('dtype');
  });
});
