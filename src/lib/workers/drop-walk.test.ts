import { describe, expect, it } from 'vitest';
import type { PickedFile } from '../state/file-job';
import { MAX_DEPTH, UNREAD, WALK_BATCH, walkHandles, type WalkNode } from './drop-walk';

const file = (name: string, text = name): WalkNode => ({
  kind: 'file',
  name,
  getFile: async () => new File([text], name)
});
const broken = (name: string): WalkNode => ({
  kind: 'file',
  name,
  getFile: () => Promise.reject(new DOMException('gone', 'NotFoundError'))
});
const dir = (name: string, children: WalkNode[]): WalkNode => ({
  kind: 'directory',
  name,
  async *values() {
    yield* children;
  }
});
const unlistable = (name: string): WalkNode => ({
  kind: 'directory',
  name,
  // eslint-disable-next-line require-yield -- fails on its first step, as a directory the browser denies does
  async *values() {
    throw new DOMException('denied', 'NotAllowedError');
  }
});

async function walked(roots: WalkNode[]) {
  const batches: PickedFile[][] = [];
  const result = await walkHandles(roots, (b) => void batches.push(b));
  return { ...result, batches, paths: batches.flat().map((f) => f.path) };
}

describe('walkHandles (a dropped folder, walked in a worker)', () => {
  it('finds every file under its folder path, with its bytes', async () => {
    const r = await walked([
      dir('model', [file('config.json', '{}'), dir('sub', [file('a.bin', 'abc')])]),
      file('x.pt')
    ]);
    expect(r.paths).toEqual(['model/config.json', 'model/sub/a.bin', 'x.pt']);
    expect(await r.batches.flat()[1].file.text()).toBe('abc');
    expect(r.unread).toEqual([]);
  });

  it('hands files over in batches of WALK_BATCH', async () => {
    const many = Array.from({ length: WALK_BATCH + 5 }, (_, i) => file(`f${i}.bin`));
    const r = await walked([dir('many', many)]);
    expect(r.batches.map((b) => b.length)).toEqual([WALK_BATCH, 5]);
  });

  it('hands them over in path order whatever order the folder lists them in, each with its size', async () => {
    const r = await walked([
      dir('m', [file('b.bin', 'bb'), dir('a', [file('z.bin', 'zzz')]), file('a.bin', 'a')])
    ]);
    expect(r.paths).toEqual(['m/a.bin', 'm/a/z.bin', 'm/b.bin']);
    expect(r.batches.flat().map((f) => f.size)).toEqual([1, 3, 2]);
  });

  it('lists what it could not read as unread, never silently', async () => {
    let deep: WalkNode = file('bottom.bin');
    for (let i = MAX_DEPTH + 1; i >= 1; i--) deep = dir(`d${i}`, [deep]);
    const r = await walked([dir('m', [broken('gone.bin'), unlistable('locked'), deep])]);
    expect(r.unread).toContainEqual({ path: 'm/gone.bin', reason: UNREAD.file });
    expect(r.unread).toContainEqual({ path: 'm/locked', reason: UNREAD.list });
    expect(r.unread.some((u) => u.reason === UNREAD.deep)).toBe(true);
    expect(r.paths).toEqual([]);
  });

  it('reports empty folders, and an empty Hugging Face snapshot as unread', async () => {
    const sha = 'a'.repeat(40);
    const r = await walked([dir('m', [dir('empty', []), dir('snapshots', [dir(sha, [])]), file('w.bin')])]);
    expect(r.emptyFolders).toContain('m/empty');
    expect(r.unread).toEqual([{ path: `m/snapshots/${sha}`, reason: UNREAD.snapshot }]);
    expect(r.paths).toEqual(['m/w.bin']);
  });
});
