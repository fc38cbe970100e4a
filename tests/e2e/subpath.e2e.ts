// The build made for a path (SAFELOAD_BASE_PATH=/safeload), served under /safeload/ by a plain static server as
// GitHub Pages would: the main flow works there — every request stays under the path, a dropped file is scanned,
// the service worker registers for the path and serves the app offline, and a share link opens and verifies.
import { expect, test, type Page } from '@playwright/test';
import type { FileReport } from '../../src/lib/core/findings';
import { shareLink } from '../../src/lib/core/provenance/share-link';
import { serveStatic } from '../../scripts/static-server.mjs';
import { manifestOf } from '../unit/manifest-fixture';
import { digestsOf, dropPaths, MALICIOUS_PICKLE, row, tempDir, writeTree } from './helpers';
import { ensureSubpathBuild, SUBPATH, SUBPATH_BUILD } from './subpath-build';

let site: { url: string; close: () => Promise<unknown> };

test.beforeAll(async () => {
  test.setTimeout(300_000);
  ensureSubpathBuild();
  site = await serveStatic(SUBPATH_BUILD, { base: SUBPATH });
});

test.afterAll(async () => {
  await site?.close();
});

/** Every response the page, its workers and its service worker got that was not a success. */
function recordFailures(page: Page): string[] {
  const failures: string[] = [];
  page.context().on('response', (r) => {
    if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
  });
  page.context().on('requestfailed', (r) => failures.push(`failed ${r.url()}`));
  return failures;
}

async function controlledByServiceWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
      );
    }
    return registration.scope;
  });
}

test('under /safeload/: scan a dropped file, navigate, and work offline through the service worker', async ({
  page,
  context
}) => {
  const failures = recordFailures(page);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  await page.goto(`${site.url}/`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await controlledByServiceWorker(page)).toBe(`${site.url}/`);

  const dir = tempDir();
  try {
    const notes = new TextEncoder().encode('plain notes\n');
    const [evil, plain] = writeTree(dir.path, { 'evil.pkl': MALICIOUS_PICKLE, 'notes.txt': notes });
    await page.locator('#file-input').setInputFiles([evil, plain]);
    await expect(row(page, 'evil.pkl')).toHaveAttribute('data-verdict', 'critical');
    await expect(row(page, 'notes.txt')).toHaveAttribute('data-sha256', digestsOf(notes).sha256);

    await page.getByRole('link', { name: 'About' }).click();
    await expect(page).toHaveURL(`${site.url}/about`);
    await expect(page.getByRole('link', { name: 'About' })).toHaveAttribute('aria-current', 'page');

    await context.setOffline(true);
    try {
      await page.goto(`${site.url}/`);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      const bytes = new TextEncoder().encode('hashed offline under a path\n');
      const [offline] = writeTree(dir.path, { 'offline.bin': bytes });
      await page.locator('#file-input').setInputFiles(offline);
      await expect(row(page, 'offline.bin')).toHaveAttribute('data-sha256', digestsOf(bytes).sha256);
    } finally {
      await context.setOffline(false);
    }
  } finally {
    dir.remove();
  }
  const origin = new URL(site.url).origin;
  expect(requests.filter((u) => u.startsWith(origin) && !u.startsWith(`${site.url}/`))).toEqual([]);
  expect(failures).toEqual([]);
});

test('under /safeload/: a share link opens offline, verifies a drop, and the page shares links under the path', async ({
  page,
  context
}) => {
  const dir = tempDir();
  try {
    const files = {
      'config.json': new TextEncoder().encode('{"model_type": "bert"}\n'),
      'model.safetensors': new Uint8Array(4096).map((_, i) => (i * 31) % 251)
    };
    writeTree(dir.path, Object.fromEntries(Object.entries(files).map(([p, b]) => [`model/${p}`, b])));
    const reports = Object.entries(files).map(
      ([path, bytes]) => ({ path, size: bytes.length, ...digestsOf(bytes) }) as unknown as FileReport
    );
    const manifest = await manifestOf(reports);
    const link = shareLink(`${site.url}/provenance`, manifest);

    await page.goto(`${site.url}/`);
    await controlledByServiceWorker(page);
    await context.setOffline(true);
    try {
      await page.goto(link);
      await expect(page.getByTestId('manifest-digest')).toHaveText(manifest.digest.value);
      await dropPaths(page, [`${dir.path}/model`]);
      for (const path of Object.keys(files))
        await expect(
          page.locator(`[data-testid="match-list"] li[data-path="${path}"]`),
          path
        ).toHaveAttribute('data-match', 'verified');
      // Integrity (the files are the manifest's) beside safety (the scan), never "verified" alone.
      await expect(page.getByTestId('integrity')).toContainText('All 2 files match the manifest');
      await expect(page.getByTestId('safety')).not.toHaveAttribute('data-state', 'pending');
      const own = await page.getByTestId('share-link').inputValue();
      expect(own.startsWith(`${site.url}/provenance#m=`), own).toBe(true);
    } finally {
      await context.setOffline(false);
    }
  } finally {
    dir.remove();
  }
});
