import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { tensorOps } from '../unit/torch-checkpoint';
import { PickleBuilder } from '../unit/pickle-builder';

export interface Digests {
  sha256: string;
  gitSha1: string;
}

export function digestsOf(bytes: Uint8Array): Digests {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const gitSha1 = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return { sha256, gitSha1 };
}

export function tempDir(prefix = 'safeload-e2e-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes files under root (relative paths with '/'), returning the absolute paths. */
export function writeTree(root: string, files: Record<string, Uint8Array>): string[] {
  return Object.entries(files).map(([rel, bytes]) => {
    const path = join(root, ...rel.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  });
}

/** A large file written in 1 MiB blocks (never held in memory at once); returns its digests. */
export function writeLargeFile(path: string, mebibytes: number): Digests {
  const block = randomBytes(1024 * 1024);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${mebibytes * block.length}\0`);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mebibytes; i++) {
      block.writeUInt32LE(i, 0); // make blocks differ
      writeSync(fd, block);
      sha256.update(block);
      sha1.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}

/**
 * A real drag-and-drop of files or folders from disk, through Chromium's input pipeline, so the page sees
 * genuine FileSystemEntry objects (folders included), exactly as when a user drops them.
 */
export async function dropPaths(page: Page, paths: string[], target?: Locator): Promise<void> {
  const zone = target ?? page.getByTestId('drop-zone');
  await zone.scrollIntoViewIfNeeded();
  const box = await zone.boundingBox();
  if (!box) throw new Error('drop zone is not visible');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await cdp.detach();
}

/** Clicks a button that downloads a JSON file (the exports) and returns the parsed file. */
export async function downloadJson(page: Page, button: string): Promise<unknown> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click()
  ]);
  return JSON.parse(readFileSync(await file.path(), 'utf8'));
}

export function row(page: Page, path: string): Locator {
  return page.locator(`li[data-path="${path.replace(/["\\]/g, '\\$&')}"]`);
}

export interface RowData {
  path: string;
  state: string;
  sha256: string;
  gitSha1Attr: string;
  gitSha1Shown: string;
  /** The row says the git blob SHA-1 was not computed (files over 10 MiB). */
  gitSha1NotComputed: boolean;
  verdict: string;
}

export async function rows(page: Page): Promise<Map<string, RowData>> {
  const list = await page.locator('li[data-path]').evaluateAll((elements) =>
    elements.map((el) => {
      const e = el as HTMLElement;
      return {
        path: e.dataset.path ?? '',
        state: e.dataset.state ?? '',
        sha256: e.dataset.sha256 ?? '',
        gitSha1Attr: e.dataset.gitSha1 ?? '',
        gitSha1Shown: e.querySelector('[data-kind="git-sha1"]')?.textContent?.trim() ?? '',
        gitSha1NotComputed: e.querySelector('[data-kind="git-sha1-not-computed"]') !== null,
        verdict: e.dataset.verdict ?? ''
      };
    })
  );
  return new Map(list.map((r) => [r.path, r]));
}

/** Waits until `count` rows exist and none is queued or hashing. */
export async function waitSettled(page: Page, count: number, timeout = 60_000): Promise<void> {
  await expect(page.locator('li[data-path]')).toHaveCount(count, { timeout });
  await expect(page.locator('li[data-state="queued"], li[data-state="hashing"]')).toHaveCount(0, { timeout });
}

/** Hand-written protocol-0 pickle that calls os.system('echo hi') when loaded (inert here: never loaded). */
export const MALICIOUS_PICKLE = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");

/** A zip checkpoint with one float32 storage of `numel` elements left as a hole in a sparse file. */
export function writeLargeCheckpoint(path: string, numel: number): void {
  const pickle = (() => {
    const b = new PickleBuilder().proto(2).op('EMPTY_DICT').shortUnicode('w');
    return tensorOps(b, { key: '0', numel, shape: [numel] })
      .op('SETITEM')
      .raw('.')
      .bytes();
  })();
  const header = (name: string, size: number) => {
    const n = new TextEncoder().encode(name);
    const h = new Uint8Array(30 + n.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint32(18, size, true);
    v.setUint32(22, size, true);
    v.setUint16(26, n.length, true);
    h.set(n, 30);
    return h;
  };
  const central = (name: string, size: number, offset: number) => {
    const n = new TextEncoder().encode(name);
    const h = new Uint8Array(46 + n.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 20, true);
    v.setUint32(20, size, true);
    v.setUint32(24, size, true);
    v.setUint16(28, n.length, true);
    v.setUint32(42, offset, true);
    h.set(n, 46);
    return h;
  };
  const fd = openSync(path, 'w');
  try {
    let at = 0;
    const parts: Uint8Array[] = [];
    const put = (bytes: Uint8Array) => {
      writeSync(fd, bytes, 0, bytes.length, at);
      at += bytes.length;
    };
    const pklAt = at;
    put(header('archive/data.pkl', pickle.length));
    put(pickle);
    parts.push(central('archive/data.pkl', pickle.length, pklAt));
    const dataAt = at;
    put(header('archive/data/0', numel * 4));
    at += numel * 4; // a hole: zeros, never written
    parts.push(central('archive/data/0', numel * 4, dataAt));
    const cdAt = at;
    for (const p of parts) put(p);
    const end = new Uint8Array(22);
    const v = new DataView(end.buffer);
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, parts.length, true);
    v.setUint16(10, parts.length, true);
    v.setUint32(12, at - cdAt, true);
    v.setUint32(16, cdAt, true);
    put(end);
  } finally {
    closeSync(fd);
  }
}
