import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FileReport } from '../../src/lib/core/findings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysePool, poolSizeFor } from '../../src/lib/node/analyse-pool';
import { analyseFile, cliHasher } from '../../src/lib/node/analyse-file';
import { scanWalked } from '../../src/lib/node/scan-walked';
import { walkPaths } from '../../src/lib/node/walk';

/** A report without its timing (the one field two reads of a file need not share). */
const timeless = ({ durationMs, ...report }: FileReport) => (void durationMs, report);

const root = join(import.meta.dirname, '../..');
const models = join(root, 'tests/fixtures/models');
const some = readdirSync(models)
  .filter((f) => /\.(joblib|npy|npz|pkl|pt|bin|safetensors|gguf|onnx)$/.test(f))
  .sort()
  .slice(0, 12);

describe('AnalysePool: files hashed and scanned in worker threads (the bundled worker)', () => {
  let pool: AnalysePool;
  beforeAll(async () => {
    const { ensureCliBuilt } = (await import(join(root, 'scripts/build-cli.mjs'))) as {
      ensureCliBuilt: () => Promise<void>;
    };
    await ensureCliBuilt();
    pool = AnalysePool.create(2, pathToFileURL(join(root, 'dist/cli/analyse-worker.mjs')))!;
  }, 120_000);
  afterAll(() => pool?.close());

  it('gives, for files sent at once, the reports this thread gives', async () => {
    expect(some.length).toBeGreaterThan(5);
    const inWorkers = await Promise.all(some.map((f) => pool.analyse(join(models, f), `models/${f}`)));
    for (const [i, f] of some.entries()) {
      expect(timeless(inWorkers[i]), f).toEqual(timeless(await analyseFile(join(models, f), `models/${f}`)));
    }
    expect(inWorkers.some((r) => r.verdict === 'critical')).toBe(true);
  });

  it('fails a file it cannot read with the reason, and goes on with the others', async () => {
    const [missing, next] = await Promise.allSettled([
      pool.analyse(join(models, 'no-such-file.pkl'), 'no-such-file.pkl'),
      pool.analyse(join(models, some[0]), some[0])
    ]);
    expect(missing.status).toBe('rejected');
    expect(String((missing as PromiseRejectedResult).reason)).toMatch(/no-such-file|ENOENT/);
    expect(next.status).toBe('fulfilled');
  });

  it('is one worker per core, at most 4 (or SAFELOAD_THREADS), never more than the files', () => {
    expect(poolSizeFor(1000, 2)).toBe(2);
    expect(poolSizeFor(1000, 64)).toBe(4);
    expect(poolSizeFor(3, 64)).toBe(3);
    expect(poolSizeFor(0, 8)).toBe(1);
    expect(poolSizeFor(1000, 8, 1)).toBe(1);
  });
});

describe('scanWalked: several files at once in this thread', () => {
  it('reports every file in the walk order, as reading them one by one does', async () => {
    const walk = await walkPaths([models]);
    const together = await scanWalked(walk.files);
    const oneByOne = await scanWalked(walk.files, { hasher: cliHasher() });
    expect(together.errors).toEqual(oneByOne.errors);
    expect(together.reports.map((r) => r.path)).toEqual(walk.files.map((f) => f.displayPath));
    expect(together.reports.map(timeless)).toEqual(oneByOne.reports.map(timeless));
  });
});
