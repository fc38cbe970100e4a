import { expect, test } from '@playwright/test';
import { digestsOf, row, tempDir, writeTree } from './helpers';

test('after one visit the app loads and hashes with the network off', async ({ page, context }) => {
  await page.goto('/');
  // Wait for the service worker to be installed, activated and controlling this page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
      );
    }
  });

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);

    const dir = tempDir();
    try {
      const bytes = new TextEncoder().encode('hashed without a network\n'.repeat(1000));
      const [path] = writeTree(dir.path, { 'offline.bin': bytes });
      await page.locator('#file-input').setInputFiles(path);
      const expected = digestsOf(bytes);
      await expect(row(page, 'offline.bin')).toHaveAttribute('data-sha256', expected.sha256);
      await expect(row(page, 'offline.bin')).toHaveAttribute('data-git-sha1', expected.gitSha1);

      await page.getByRole('link', { name: 'About' }).click();
      await expect(page.getByRole('heading', { name: 'About Safeload' })).toBeVisible();
    } finally {
      dir.remove();
    }
  } finally {
    await context.setOffline(false);
  }
});
