import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { digestsOf, dropPaths, row, tempDir, writeTree } from './helpers';
import { BERT, bertRepo, serveHub } from './provenance-hub';
import { describeShared } from './shared';

const MiB = 1024 * 1024;
const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * seed + 7) % 251);

/** Files over 10 MiB: one stored in plain git on the Hub (so it lists only its git blob id), one in LFS. */
const REPO: Record<string, Uint8Array> = {
  'config.json': new TextEncoder().encode('{"model_type": "bert"}\n'),
  'big-in-git.bin': bytes(12 * MiB, 31),
  'tampered-in-git.bin': bytes(11 * MiB, 17),
  'model.safetensors': bytes(12 * MiB, 13)
};

function match(page: Page, path: string) {
  return page.locator(`[data-testid="match-list"] li[data-path="${path}"]`);
}

// The Hub emulator serves the recorded BERT listing from the external fixture set.
describeShared('git blob SHA-1 on demand for large plain-git files', () => {
  test('a large file the Hub keeps in plain git gets its git blob SHA-1 computed when the listing needs it', async ({
    page
  }) => {
    await serveHub(page, bertRepo(REPO, ['model.safetensors']));
    const dir = tempDir();
    try {
      const tampered = REPO['tampered-in-git.bin'].slice();
      tampered[5 * MiB] ^= 1;
      writeTree(dir.path, {
        ...Object.fromEntries(Object.entries(REPO).map(([p, b]) => [`bert/${p}`, b])),
        'bert/tampered-in-git.bin': tampered
      });

      // Hashed on the Check files page first: large files get no git blob SHA-1.
      await page.goto('/');
      await dropPaths(page, [join(dir.path, 'bert')]);
      await expect(row(page, 'bert/big-in-git.bin')).toHaveAttribute('data-state', 'done');
      await expect(row(page, 'bert/big-in-git.bin')).not.toHaveAttribute('data-git-sha1', /./);
      await row(page, 'bert/big-in-git.bin').locator('summary', { hasText: 'Hashes' }).click();
      await expect(
        row(page, 'bert/big-in-git.bin').locator('[data-kind="git-sha1-not-computed"]')
      ).toBeVisible();

      await page.getByRole('link', { name: 'Provenance' }).click();
      await page.getByLabel('Repo id or Hub URL').fill(BERT);
      await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
      await expect(match(page, 'config.json')).toHaveAttribute('data-match', 'verified');
      await expect(match(page, 'model.safetensors')).toHaveAttribute('data-match', 'verified');
      await expect(match(page, 'model.safetensors')).toContainText('SHA-256 matches');
      // Only the git blob id is listed for these two: it is computed from the file, then compared.
      await expect(match(page, 'big-in-git.bin')).toHaveAttribute('data-match', 'verified');
      await expect(match(page, 'big-in-git.bin')).toContainText('git blob SHA-1 matches');
      await expect(match(page, 'tampered-in-git.bin')).toHaveAttribute('data-match', 'mismatch');
      await expect(match(page, 'tampered-in-git.bin').locator('[data-kind="actual"]')).toHaveText(
        digestsOf(tampered).gitSha1
      );

      // The Check files rows now carry it too; the LFS file still has none.
      await page.getByRole('link', { name: 'Check files' }).click();
      await expect(row(page, 'bert/big-in-git.bin')).toHaveAttribute(
        'data-git-sha1',
        digestsOf(REPO['big-in-git.bin']).gitSha1
      );
      await expect(row(page, 'bert/model.safetensors')).not.toHaveAttribute('data-git-sha1', /./);
    } finally {
      dir.remove();
    }
  });
});
