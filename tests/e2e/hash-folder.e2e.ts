import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { digestsOf, dropPaths, rows, tempDir, waitSettled, writeTree } from './helpers';

const CHUNK = 8 * 1024 * 1024;
const GIT_SHA1_MAX_BYTES = 10 * 1024 * 1024;
const LONG_NAME = `ünïcødé 模型 «weights» ${'long-name-'.repeat(12)}end.bin`;

function folderContents(): Record<string, Uint8Array> {
  return {
    'empty.bin': new Uint8Array(0),
    'one-byte.bin': Uint8Array.of(0x2a),
    'random-5mib.bin': randomBytes(5 * 1024 * 1024),
    'not-chunk-multiple.bin': randomBytes(CHUNK + 12_345),
    'just-over-git-sha1-limit.bin': randomBytes(GIT_SHA1_MAX_BYTES + 1),
    [LONG_NAME]: randomBytes(4096),
    'sub/deeper/nested.txt': new TextEncoder().encode('nested file\n')
  };
}

for (const via of ['drop', 'folder picker'] as const) {
  test(`hashes every file of a folder chosen by ${via}`, async ({ page }) => {
    const dir = tempDir();
    try {
      const root = join(dir.path, 'model folder');
      const contents = folderContents();
      writeTree(root, contents);
      mkdirSync(join(root, 'empty-subfolder'));
      await page.goto('/');

      if (via === 'drop') await dropPaths(page, [root]);
      else await page.locator('#folder-input').setInputFiles(root);

      const names = Object.keys(contents);
      await waitSettled(page, names.length);
      const seen = await rows(page);
      for (const [rel, bytes] of Object.entries(contents)) {
        const expected = digestsOf(bytes);
        const r = seen.get(`model folder/${rel}`);
        expect(r, `row for ${rel}`).toBeDefined();
        expect(r!.state).toBe('done');
        expect(r!.sha256).toBe(expected.sha256);
        // Files over 10 MiB are hashed without the git blob SHA-1, and the row says so.
        const gitSha1 = bytes.length <= GIT_SHA1_MAX_BYTES ? expected.gitSha1 : '';
        expect(r!.gitSha1Attr).toBe(gitSha1);
        expect(r!.gitSha1Shown).toBe(gitSha1);
        expect(r!.gitSha1NotComputed).toBe(gitSha1 === '');
        expect(r!.verdict).not.toBe('');
      }
      if (via === 'drop') await expect(page.getByText('empty-subfolder contains no files')).toBeVisible();
      await expect(page.getByTestId('announcement')).toHaveText(/Finished: 7 done/);
    } finally {
      dir.remove();
    }
  });
}
