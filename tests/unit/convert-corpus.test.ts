// The public scanners' own PyTorch and NumPy samples (../shared/corpus): each converts or is refused with a
// reason, never throws; malicious ones are never converted with their payload unnoticed.
import { readFileSync } from 'node:fs';
import { createSHA256 } from 'hash-wasm';
import { expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { convertToSafetensors } from '../../src/lib/core/convert/convert';
import { MemoryTarget } from './torch-checkpoint';
import { describeShared, sharedPath } from '../shared-fixtures';

const CONVERTIBLE = /\.(pt|pth|bin|ckpt|npy|npz)$/;

/** Samples that hold real numeric tensors: they must convert. */
const MUST_CONVERT: Record<string, number> = {
  'picklescan/tests/data2/int_array.npy': 1,
  'picklescan/tests/data2/int_arrays.npz': 2,
  'picklescan/tests/data2/int_arrays_compressed.npz': 2,
  'picklescan/tests/data/new_pytorch_model.bin': 1,
  'picklescan/tests/data/pytorch_model.bin': 38
};

describeShared('convert: public scanner corpus', () => {
  it('converts the tensor samples and never lets a malicious sample through unnoticed', async () => {
    const rows = readFileSync(sharedPath('corpus', 'MANIFEST.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .filter(([path]) => path && CONVERTIBLE.test(path));
    expect(rows.length).toBeGreaterThan(10);
    let converted = 0;
    for (const [path, , , , verdict] of rows) {
      const bytes = new Uint8Array(readFileSync(sharedPath('corpus', path)));
      const report = await convertToSafetensors(
        [{ source: memorySource(bytes, path), path }],
        new MemoryTarget(),
        {
          outputName: 'model.safetensors',
          createHasher: createSHA256
        }
      );
      if (path in MUST_CONVERT) {
        expect({ path, ok: report.ok, tensors: report.tensors }).toEqual({
          path,
          ok: true,
          tensors: MUST_CONVERT[path]
        });
      }
      if (verdict === 'malicious') {
        const unnoticed = report.ok && report.notExecuted.length === 0;
        expect({ path, unnoticed }).toEqual({ path, unnoticed: false });
      }
      if (report.ok) {
        converted++;
        expect(report.outputs[0]).toMatchObject({ headerMatches: true, rescan: { verdict: 'clean' } });
      } else expect(report.error).toBeTruthy();
    }
    expect(converted).toBeGreaterThanOrEqual(Object.keys(MUST_CONVERT).length);
  });
});
