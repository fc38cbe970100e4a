import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { digestsOf, row, tempDir, writeLargeFile, writeTree } from './helpers';

/** The built site the preview server serves (adapter-static's output). */
const SITE = join(import.meta.dirname, '../../build');

async function controlledByServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
      );
    }
  });
}

test('the service worker precaches every file the build emitted under _app/', async ({ page }) => {
  const emitted = readdirSync(join(SITE, '_app'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(SITE, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  // Nested workers and worker chunks are what SvelteKit's own list misses.
  expect(emitted.some((f) => /^_app\/immutable\/workers\/hash-feeder\.worker-/.test(f))).toBe(true);
  expect(emitted.some((f) => /^_app\/immutable\/workers\/digest\.worker-/.test(f))).toBe(true);
  await page.goto('/');
  await controlledByServiceWorker(page);
  const cached = await page.evaluate(async () => {
    const names: string[] = [];
    for (const key of await caches.keys())
      for (const request of await (await caches.open(key)).keys())
        names.push(new URL(request.url).pathname.slice(1));
    return names;
  });
  expect(emitted.filter((f) => !cached.includes(f))).toEqual([]);
});

test('after one visit the app loads and hashes with the network off', async ({ page, context }) => {
  await page.goto('/');
  // Wait for the service worker to be installed, activated and controlling this page.
  await controlledByServiceWorker(page);

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);

    const dir = tempDir();
    try {
      const bytes = new TextEncoder().encode('hashed without a network\n'.repeat(1000));
      const [path] = writeTree(dir.path, { 'offline.bin': bytes });
      // Large enough for the feeder worker (a nested worker, loaded from the cache).
      const large = writeLargeFile(join(dir.path, 'offline-large.bin'), 24);
      await page.locator('#file-input').setInputFiles([path, join(dir.path, 'offline-large.bin')]);
      const expected = digestsOf(bytes);
      await expect(row(page, 'offline.bin')).toHaveAttribute('data-sha256', expected.sha256);
      await expect(row(page, 'offline.bin')).toHaveAttribute('data-git-sha1', expected.gitSha1);
      await expect(row(page, 'offline-large.bin')).toHaveAttribute('data-sha256', large.sha256);

      await page.getByRole('link', { name: 'About' }).click();
      await expect(page.getByRole('heading', { name: 'About Safeload' })).toBeVisible();
    } finally {
      dir.remove();
    }
  } finally {
    await context.setOffline(false);
  }
});
