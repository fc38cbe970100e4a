import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../core/bytes/byte-source';
import { digestSource } from '../core/hash/multi-digest';
import { detectLocalLayout, matchFiles, type ExpectedFile } from '../core/provenance';
import { describeShared } from '../../../tests/shared-fixtures';
import { BERT_CACHE_FOLDER, buildHubCache } from '../../../tests/unit/hub-cache';
import { walkFiles } from '../../../tests/unit/provenance-walk';
import type { FileJob } from './file-job';
import { localView, matchRows, mayHoldHubLayout } from './provenance-local';

type Job = Pick<FileJob, 'path' | 'size' | 'state' | 'sha256' | 'gitSha1' | 'error' | 'gitSha1Error'>;
const enc = (s: string) => new TextEncoder().encode(s);

async function doneJob(path: string, bytes: Uint8Array): Promise<Job> {
  const d = await digestSource(memorySource(bytes));
  return { path, size: bytes.length, state: 'done', sha256: d.sha256, gitSha1: d.gitSha1 };
}

async function expectedOf(path: string, bytes: Uint8Array, lfs: boolean): Promise<ExpectedFile> {
  const d = await digestSource(memorySource(bytes));
  return lfs
    ? { path, size: bytes.length, sha256: d.sha256, gitBlobSha1: '0'.repeat(40), gitBlobOf: 'lfs-pointer' }
    : { path, size: bytes.length, sha256: null, gitBlobSha1: d.gitSha1, gitBlobOf: 'content' };
}

describe('dropped jobs as repo files', () => {
  const config = enc('{"model_type": "bert"}\n');
  const weights = new Uint8Array(4096).map((_, i) => i % 251);
  const vocab = enc('[PAD]\n[UNK]\n');

  it('finds the root, keeps pending and unreadable files apart and ignores bookkeeping', async () => {
    const expected = [
      await expectedOf('config.json', config, false),
      await expectedOf('model.safetensors', weights, true),
      await expectedOf('vocab.txt', vocab, false),
      await expectedOf('sub/extra.json', config, false)
    ];
    const tampered = weights.slice();
    tampered[7] ^= 1;
    const jobs: Job[] = [
      await doneJob('dl/bert/config.json', enc('stale')),
      await doneJob('dl/bert/config.json', config), // dropped again: the newest copy counts
      await doneJob('dl/bert/model.safetensors', tampered),
      { path: 'dl/bert/vocab.txt', size: vocab.length, state: 'hashing', sha256: '', gitSha1: '' },
      {
        path: 'dl/bert/sub/extra.json',
        size: config.length,
        state: 'error',
        sha256: '',
        gitSha1: '',
        error: 'could not read'
      },
      await doneJob('dl/bert/.cache/huggingface/.gitignore', enc('*')),
      await doneJob('dl/bert/notes.txt', enc('mine')),
      await doneJob('elsewhere/readme.md', enc('x')),
      { path: 'dl/bert/cancelled.bin', size: 1, state: 'cancelled', sha256: '', gitSha1: '' }
    ];
    const view = localView(jobs, null, expected);
    expect(view.root).toBe('dl/bert/');
    expect(view.ignored).toBe(2); // the bookkeeping file and the file outside the root
    const rows = matchRows(matchFiles(expected, view.local).files, view);
    const byPath = Object.fromEntries(rows.map((r) => [r.path, r]));
    expect(byPath['config.json']).toMatchObject({ status: 'verified', droppedPath: 'dl/bert/config.json' });
    expect(byPath['model.safetensors']).toMatchObject({ status: 'mismatch', mismatch: { field: 'sha256' } });
    expect(byPath['vocab.txt']).toMatchObject({ status: 'pending' });
    expect(byPath['vocab.txt'].readError).toBeUndefined();
    expect(byPath['sub/extra.json']).toMatchObject({ status: 'pending', readError: 'could not read' });
    expect(byPath['notes.txt'].status).toBe('extra');
    expect(byPath['cancelled.bin']).toBeUndefined();
  });

  it('a wrong size is a mismatch while the file is still hashing', async () => {
    const expected = [await expectedOf('model.safetensors', weights, true)];
    const jobs: Job[] = [{ path: 'model.safetensors', size: 10, state: 'queued', sha256: '', gitSha1: '' }];
    const r = matchFiles(expected, localView(jobs, null, expected).local);
    expect(r.files[0]).toMatchObject({
      status: 'mismatch',
      mismatch: { field: 'size', expected: 4096, actual: 10 }
    });
  });

  it('asks for the git blob SHA-1 of a file hashed without one, only when it is the one hash listed', async () => {
    const big = await doneJob('dl/bert/big.bin', weights);
    const lfs = await doneJob('dl/bert/model.safetensors', weights);
    const notComputed = (j: Job): Job => ({ ...j, gitSha1: null });
    const expected = [
      await expectedOf('big.bin', weights, false),
      await expectedOf('model.safetensors', weights, true)
    ];
    const rowsFor = (jobs: Job[]) => {
      const view = localView(jobs, null, expected);
      return Object.fromEntries(
        matchRows(matchFiles(expected, view.local).files, view).map((r) => [r.path, r])
      );
    };
    const before = rowsFor([notComputed(big), notComputed(lfs)]);
    expect(before['big.bin']).toMatchObject({ status: 'pending', needs: 'git-blob-sha1' });
    expect(before['model.safetensors']).toMatchObject({ status: 'verified', method: 'sha256' });
    expect(before['model.safetensors'].needs).toBeUndefined();
    // Still hashing: nothing to ask for yet.
    const hashing: Job = { ...big, state: 'hashing', sha256: '', gitSha1: '' };
    expect(rowsFor([hashing])['big.bin'].needs).toBeUndefined();
    // Computed: verified by it; failed: the reason is shown and nothing more is asked.
    expect(rowsFor([big])['big.bin']).toMatchObject({ status: 'verified', method: 'git-blob-sha1' });
    const failed = rowsFor([{ ...notComputed(big), gitSha1Error: 'The file could not be read.' }]);
    expect(failed['big.bin']).toMatchObject({ status: 'pending', readError: 'The file could not be read.' });
  });

  it('tells Hub layouts from plain folders by their names', () => {
    expect(mayHoldHubLayout(['m/.cache/huggingface/download/config.json.metadata'])).toBe(true);
    expect(mayHoldHubLayout(['hub/models--org--name/blobs/abc'])).toBe(true);
    expect(mayHoldHubLayout(['m/config.json', 'm/.cache/other/x.metadata', 'models--x/readme'])).toBe(false);
  });
});

describeShared('dropped hub cache jobs as repo files', () => {
  for (const form of ['symlink', 'text'] as const) {
    it(`maps the recorded cache example, snapshot links as ${form}, to verified repo files`, async () => {
      const base = buildHubCache(form);
      const entries = walkFiles(base);
      const layout = (await detectLocalLayout(entries, async (p, max) =>
        (await readFile(join(base, p))).subarray(0, max).toString('utf8')
      ))!;
      const jobs = await Promise.all(entries.map((e) => doneJob(e.path, readFileSync(join(base, e.path)))));
      const own = localView(jobs, layout, layout.expected);
      expect(own.root).toBe(`${BERT_CACHE_FOLDER}/`);
      const rows = matchFiles(layout.expected, own.local).files;
      expect(rows.map((r) => [r.path, r.status])).toEqual([['tokenizer_config.json', 'verified']]);
      // Where the bytes came from: the snapshot entry read through its link, or the blob a text link names.
      expect(own.droppedPath.get('tokenizer_config.json')).toMatch(
        form === 'symlink' ? /\/snapshots\/[0-9a-f]{40}\/tokenizer_config\.json$/ : /\/blobs\/a661b1a1/
      );
      // Against another listing, the cache's unreferenced blob names are not repo files.
      const other = localView(jobs, layout, [...layout.expected]);
      expect(other.local.every((f) => !f.path.startsWith('blobs/'))).toBe(true);
    });
  }
});
