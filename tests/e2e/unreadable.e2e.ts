import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { row, tempDir, waitSettled, writeLargeFile, writeTree } from './helpers';

test('a file deleted before it is read gets an error state and the others still finish', async ({ page }) => {
  test.setTimeout(120_000);
  const dir = tempDir();
  try {
    // Four large files keep every worker busy (largest first), so the small one is read last.
    const bigs = [1, 2, 3, 4].map((i) => {
      const path = join(dir.path, `big-${i}.bin`);
      return { path, digests: writeLargeFile(path, 160 + i) };
    });
    const [doomed] = writeTree(dir.path, { 'vanishes.bin': new TextEncoder().encode('soon gone') });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles([doomed, ...bigs.map((b) => b.path)]);
    rmSync(doomed);

    await waitSettled(page, 5, 90_000);
    const vanished = row(page, 'vanishes.bin');
    await expect(vanished).toHaveAttribute('data-state', 'error');
    await expect(vanished).toHaveAttribute('data-sha256', '');
    await expect(vanished.getByRole('status')).toContainText('could not be read');
    for (const [i, big] of bigs.entries()) {
      await expect(row(page, `big-${i + 1}.bin`)).toHaveAttribute('data-sha256', big.digests.sha256);
    }
  } finally {
    dir.remove();
  }
});
