import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { digestsOf, dropPaths, row, tempDir, writeTree } from './helpers';

test('a folder of 1200 files is hashed completely and the list grows on request (main-thread tasks are measured by npm run bench)', async ({
  page
}) => {
  test.setTimeout(180_000);
  const dir = tempDir();
  try {
    const contents: Record<string, Uint8Array> = {};
    for (let i = 0; i < 1200; i++) {
      contents[`d${i % 12}/f${String(i).padStart(4, '0')}.bin`] = new TextEncoder().encode(`file ${i}\n`);
    }
    writeTree(join(dir.path, 'many'), contents);
    await page.goto('/');

    await dropPaths(page, [join(dir.path, 'many')]);
    await expect(page.getByTestId('announcement')).toHaveText(/Finished: 1200 done/, { timeout: 120_000 });
    await expect(page.locator('li[data-path]')).toHaveCount(500);
    await expect(page.getByText('Showing 500 of 1200 files.')).toBeVisible();

    await page.getByRole('button', { name: 'Show all' }).click();
    await expect(page.locator('li[data-path]')).toHaveCount(1200);
    await expect(page.locator('li[data-state="done"]')).toHaveCount(1200);
    const last = 'many/d11/f1199.bin';
    await expect(row(page, last)).toHaveAttribute('data-sha256', digestsOf(contents['d11/f1199.bin']).sha256);
  } finally {
    dir.remove();
  }
});

test('dropping an empty folder says so and adds nothing', async ({ page }) => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir.path, 'nothing here', 'still nothing'), { recursive: true });
    await page.goto('/');
    await dropPaths(page, [join(dir.path, 'nothing here')]);
    await expect(page.getByText('The folder nothing here contains no files.')).toBeVisible();
    await expect(page.locator('li[data-path]')).toHaveCount(0);
  } finally {
    dir.remove();
  }
});
