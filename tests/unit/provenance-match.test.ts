import { lstatSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { digestSource } from '../../src/lib/core/hash/multi-digest';
import { walkFiles } from './provenance-walk';
import { detectFolderRoot } from '../../src/lib/core/provenance/folder-root';
import { detectLocalLayout, parseTreeCache } from '../../src/lib/core/provenance/local-layout';
import { expectedFromRemote } from '../../src/lib/core/provenance/manifest';
import { isHubBookkeeping, matchFiles, type LocalFile } from '../../src/lib/core/provenance/match';
import { remoteFileFromEntry, type RemoteFile } from '../../src/lib/core/provenance/remote-file';
import { fixture, HF_FIXTURES, TREE_BERT } from './provenance-hub-fixtures';
import { describeShared } from '../shared-fixtures';
import { BERT_CACHE_FOLDER, buildHubCache, snapshotEntries } from './hub-cache';

/** The files under `root`, with paths relative to it (as the app matches a dropped folder). */
function stripRoot<T extends { path: string }>(files: readonly T[], root: string): T[] {
  return files.filter((f) => f.path.startsWith(root)).map((f) => ({ ...f, path: f.path.slice(root.length) }));
}

/** The recorded bert-base-uncased listing at dd4bc8b. */
const remote = (): RemoteFile[] => fixture(TREE_BERT).response.body.map(remoteFileFromEntry);
/** What the hashing stage reports for an untouched download of each file: its content digests. */
const intact = (f: RemoteFile): LocalFile => ({
  path: f.path,
  size: f.size,
  sha256: f.sha256 ?? undefined,
  gitSha1: f.lfs ? undefined : f.gitBlobSha1
});

describeShared('matching local files against a commit', () => {
  it('verifies LFS files by SHA-256 and regular files by git blob SHA-1', () => {
    const r = matchFiles(expectedFromRemote(remote()), remote().map(intact));
    expect(r.allVerified).toBe(true);
    expect(Object.fromEntries(r.files.map((f) => [f.path, f.method]))).toEqual({
      '.gitattributes': 'git-blob-sha1',
      'config.json': 'git-blob-sha1',
      'pytorch_model.bin': 'sha256',
      'tf_model.h5': 'sha256',
      'vocab.txt': 'git-blob-sha1'
    });
  });

  it('reports tampered, missing, extra, still-hashing and wrong-size files', () => {
    const local = remote().map(intact);
    const h5 = local.find((f) => f.path === 'tf_model.h5')!;
    h5.sha256 = '0'.repeat(64);
    const cfg = local.find((f) => f.path === 'config.json')!;
    cfg.gitSha1 = 'f'.repeat(40);
    const vocab = local.find((f) => f.path === 'vocab.txt')!;
    delete vocab.gitSha1; // still hashing
    const withExtra = local.filter((f) => f.path !== 'pytorch_model.bin');
    withExtra.push({ path: 'evil.pkl', size: 10 });
    withExtra.find((f) => f.path === '.gitattributes')!.size = 1; // size known before any hash
    delete withExtra.find((f) => f.path === '.gitattributes')!.gitSha1;
    const r = matchFiles(expectedFromRemote(remote()), withExtra);
    const by = Object.fromEntries(r.files.map((f) => [f.path, f]));
    expect(by['tf_model.h5']).toMatchObject({
      status: 'mismatch',
      mismatch: {
        field: 'sha256',
        expected: remote().find((f) => f.path === 'tf_model.h5')!.sha256,
        actual: '0'.repeat(64)
      }
    });
    expect(by['config.json'].mismatch).toEqual({
      field: 'gitBlobSha1',
      expected: 'fca794a5f07ff8f963fe8b61e3694b0fb7f955df',
      actual: 'f'.repeat(40)
    });
    expect(by['.gitattributes'].mismatch).toEqual({ field: 'size', expected: 345, actual: 1 });
    expect(by['vocab.txt'].status).toBe('pending');
    expect(by['pytorch_model.bin'].status).toBe('missing');
    expect(by['evil.pkl'].status).toBe('extra');
    expect(r.counts).toEqual({ verified: 0, mismatch: 3, missing: 1, extra: 1, pending: 1, unverifiable: 0 });
    expect(r.allVerified).toBe(false);
  });

  it('an LFS file with only its pointer id and no SHA-256 cannot be verified by a content hash', () => {
    const e = expectedFromRemote(remote()).find((f) => f.path === 'tf_model.h5')!;
    const r = matchFiles([{ ...e, sha256: null }], [{ path: e.path, size: e.size!, gitSha1: e.gitBlobSha1 }]);
    expect(r.files[0].status).toBe('unverifiable');
  });
});

describeShared('folder root detection', () => {
  const expected = remote().map((f) => f.path);
  it('finds the repo root inside a dropped folder', () => {
    const dropped = [
      'downloads/bert/config.json',
      'downloads/bert/vocab.txt',
      'downloads/bert/extra/config.json',
      'downloads/notes.txt'
    ];
    expect(detectFolderRoot(dropped, expected)).toBe('downloads/bert/');
  });
  it('uses .cache/huggingface or the shared folder when the listing is unknown', () => {
    expect(
      detectFolderRoot(['d/m/config.json', 'd/m/.cache/huggingface/download/config.json.metadata'])
    ).toBe('d/m/');
    expect(detectFolderRoot(['bert/a.json', 'bert/sub/b.bin'])).toBe('bert/');
    expect(detectFolderRoot(['a.json', 'b.json'])).toBe('');
  });
});

describeShared('local metadata written by huggingface_hub', () => {
  const read = (base: string) => async (p: string, max: number) =>
    (await readFile(join(base, p))).subarray(0, max).toString('utf8');
  const tokenizer = readFileSync(join(HF_FIXTURES, 'local/hf-local-dir/tokenizer_config.json'));
  const ETAG = fixture(
    'reconstructed__resolve-fileDownloadInfo__4-cases.json'
  ).cases[2].asserted.etag.replaceAll('"', '');
  const COMMIT = '1a7dd4986e3dab699c24ca19b2afd0f5e1a80f37';

  it('a --local-dir download pre-fills the commit and verifies real bytes against the Hub ETag', async () => {
    // The fixture's .cache folder was not preserved; rebuild it in the documented format (commit\netag\nts\n).
    const dir = mkdtempSync(join(tmpdir(), 'hf-local-dir-'));
    mkdirSync(join(dir, 'model/.cache/huggingface/download'), { recursive: true });
    writeFileSync(join(dir, 'model/tokenizer_config.json'), tokenizer);
    writeFileSync(
      join(dir, 'model/.cache/huggingface/download/tokenizer_config.json.metadata'),
      `${COMMIT}\n${ETAG}\n1712656091.123\n`
    );
    writeFileSync(join(dir, 'model/.cache/huggingface/.gitignore'), '*');
    const entries = walkFiles(dir);
    const layout = (await detectLocalLayout(entries, read(dir)))!;
    expect(layout).toMatchObject({
      kind: 'local-dir',
      root: 'model/',
      commit: COMMIT,
      downloadedAt: '2024-04-09T09:48:11.123Z'
    });
    const digests = await digestSource(memorySource(tokenizer));
    const local = stripRoot(entries, layout.root)
      .filter((e) => !isHubBookkeeping(e.path))
      .map((e) => ({ ...e, ...digests }));
    expect(matchFiles(layout.expected, local).files).toEqual([
      expect.objectContaining({ path: 'tokenizer_config.json', status: 'verified', method: 'git-blob-sha1' })
    ]);
    const tampered = await digestSource(
      memorySource(new TextEncoder().encode('{\n  "do_lower_case": false\n}\n'))
    );
    const r = matchFiles(layout.expected, [{ path: 'tokenizer_config.json', size: 28, ...tampered }]);
    expect(r.files[0].status).toBe('mismatch');
  });

  /** The drop as the page sees it: each repo path hashed from the dropped file holding its bytes. */
  async function checkCache(base: string) {
    const layout = (await detectLocalLayout(walkFiles(base), read(base)))!;
    const local = await Promise.all(
      Object.entries(layout.contentPaths).map(async ([path, dropped]) => {
        const bytes = readFileSync(join(base, dropped));
        return { path, size: bytes.length, ...(await digestSource(memorySource(bytes))) };
      })
    );
    return { layout, match: matchFiles(layout.expected, local) };
  }

  for (const form of ['symlink', 'text'] as const) {
    it(`a hub cache folder (snapshot links as ${form}) gives the repo, the commit and verified content`, async () => {
      const base = buildHubCache(form);
      const [entry] = snapshotEntries(base);
      expect(lstatSync(join(base, entry)).isSymbolicLink()).toBe(form === 'symlink');
      const { layout, match } = await checkCache(base);
      expect(layout).toMatchObject({
        kind: 'hub-cache',
        root: `${BERT_CACHE_FOLDER}/`,
        repoType: 'model',
        repoId: 'google-bert/bert-base-uncased',
        commit: COMMIT,
        refs: { main: COMMIT }
      });
      // A link read through holds the bytes itself; a link saved as text points at the blob that does.
      expect(layout.contentPaths['tokenizer_config.json']).toBe(
        form === 'symlink'
          ? `${BERT_CACHE_FOLDER}/${entry.slice(BERT_CACHE_FOLDER.length + 1)}`
          : `${BERT_CACHE_FOLDER}/blobs/${ETAG}`
      );
      expect(layout.expected.map((f) => [f.path, f.gitBlobSha1])).toEqual([['tokenizer_config.json', ETAG]]);
      expect(match.files).toEqual([
        expect.objectContaining({
          path: 'tokenizer_config.json',
          status: 'verified',
          method: 'git-blob-sha1'
        })
      ]);
      expect(match.counts.extra).toBe(0);
    });
  }

  it('a drop without the snapshot symlinks (browsers skip them) checks the blobs by name and says why', async () => {
    const base = buildHubCache('symlink');
    const entries = walkFiles(base).filter((e) => !e.path.includes('/snapshots/'));
    const layout = (await detectLocalLayout(entries, read(base)))!;
    expect(layout).toMatchObject({ kind: 'hub-cache', commit: COMMIT });
    expect(layout.expected.map((f) => f.path)).toEqual([`blobs/${ETAG}`]);
    expect(layout.notes.join(' ')).toMatch(/browsers skip symbolic links/);
  });

  it('a snapshot file replaced by other bytes of the same size is a mismatch, not an extra file', async () => {
    const base = buildHubCache('symlink');
    const [entry] = snapshotEntries(base);
    const original = readFileSync(join(base, entry));
    rmSync(join(base, entry));
    writeFileSync(join(base, entry), Buffer.from(original).reverse());
    const { match } = await checkCache(base);
    expect(match.files).toEqual([
      expect.objectContaining({ path: 'tokenizer_config.json', status: 'mismatch' })
    ]);
  });

  it('a tampered blob behind a real symlink is a mismatch', async () => {
    const base = buildHubCache('symlink');
    writeFileSync(join(base, BERT_CACHE_FOLDER, 'blobs', ETAG), '{\n  "do_lower_case": false\n}\n');
    const { match } = await checkCache(base);
    expect(match.files).toEqual([
      expect.objectContaining({ path: 'tokenizer_config.json', status: 'mismatch' })
    ]);
  });

  it('a snapshot file with no blob and no listing is unverifiable, never extra or verified', async () => {
    const base = buildHubCache('symlink');
    const [entry] = snapshotEntries(base);
    const bytes = readFileSync(join(base, entry));
    rmSync(join(base, BERT_CACHE_FOLDER, 'blobs'), { recursive: true });
    rmSync(join(base, entry));
    writeFileSync(join(base, entry), bytes); // a copy, as with symlinks disabled
    const { layout, match } = await checkCache(base);
    expect(match.files).toEqual([
      expect.objectContaining({ path: 'tokenizer_config.json', status: 'unverifiable' })
    ]);
    expect(layout.notes.join(' ')).toMatch(/could not be matched to a blob/);
  });

  it('parses trees/<commit>.json into the full expected listing', () => {
    const text = readFileSync(
      join(
        HF_FIXTURES,
        'local/hf-hub-cache/models--google-bert--bert-base-uncased/trees/dd4bc8b21efa05ec961e3efc4ee5e3832a3679c7.json'
      ),
      'utf8'
    );
    expect(parseTreeCache(text)).toEqual(expectedFromRemote(remote()));
  });

  it('a plain folder is not mistaken for a Hub layout', async () => {
    expect(await detectLocalLayout([{ path: 'bert/config.json', size: 3 }], async () => '')).toBeNull();
  });
});
