import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { digestsOf, downloadJson, dropPaths, row, tempDir, writeTree } from './helpers';

/** Drops a folder `name` of `count` small distinct files (f0000.bin…, spread over `folders` subfolders if any). */
async function dropManyFiles(
  page: Page,
  root: string,
  name: string,
  count: number,
  folders = 0
): Promise<Record<string, Uint8Array>> {
  const contents: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const file = `f${String(i).padStart(4, '0')}.bin`;
    contents[folders ? `d${i % folders}/${file}` : file] = new TextEncoder().encode(`file ${i}\n`);
  }
  writeTree(join(root, name), contents);
  await page.goto('/');
  await dropPaths(page, [join(root, name)]);
  await expect(page.getByTestId('announcement')).toHaveText(new RegExp(`Finished: ${count} done`), {
    timeout: 120_000
  });
  return contents;
}

/** Scrolls to the top or the bottom of the page until `check` passes: the list renders rows a frame later. */
async function scrollUntil(page: Page, to: 'top' | 'bottom', check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await page.evaluate(
      (bottom) => scrollTo(0, bottom ? document.documentElement.scrollHeight : 0),
      to === 'bottom'
    );
    await check();
  }).toPass({ timeout: 20_000 });
}

test('a folder of 1200 files is hashed completely; the list renders the rows near the viewport and finds any row (main-thread tasks are measured by npm run bench)', async ({
  page
}) => {
  test.setTimeout(180_000);
  const dir = tempDir();
  try {
    const contents = await dropManyFiles(page, dir.path, 'many', 1200, 12);
    await expect(page.getByTestId('shown-count')).toHaveText('All 1200 files listed');
    const rendered = await page.locator('li[data-path]').count();
    expect(rendered, 'a virtualised list renders only the rows near the viewport').toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);

    // Every file, from the export (not from the rows, most of which are not in the page).
    const report = (await downloadJson(page, 'Export JSON')) as { files: { path: string; sha256: string }[] };
    expect(report.files.map((f) => f.path).sort()).toEqual(
      Object.keys(contents)
        .map((p) => `many/${p}`)
        .sort()
    );
    for (const f of report.files) {
      expect(f.sha256, f.path).toBe(digestsOf(contents[f.path.slice('many/'.length)]).sha256);
    }

    // Scrolled to the end, the last row is in the page with its attributes; the first one is not.
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('name');
    const first = `many/${Object.keys(contents).sort()[0]}`;
    const last = Object.keys(contents).sort().at(-1)!;
    await scrollUntil(page, 'bottom', () =>
      expect(row(page, `many/${last}`)).toHaveAttribute('aria-posinset', '1200', { timeout: 1000 })
    );
    await expect(row(page, `many/${last}`)).toHaveAttribute('data-sha256', digestsOf(contents[last]).sha256);
    await expect(row(page, `many/${last}`)).toHaveAttribute('data-state', 'done');
    await expect(row(page, first)).toHaveCount(0);

    // Any row is found by its name, wherever it is in the list.
    await page.getByRole('searchbox', { name: 'Name contains' }).fill('d0/f0600');
    await expect(page.getByTestId('shown-count')).toHaveText('1 of 1200 files listed');
    await expect(row(page, 'many/d0/f0600.bin')).toHaveAttribute(
      'data-sha256',
      digestsOf(contents['d0/f0600.bin']).sha256
    );
  } finally {
    dir.remove();
  }
});

test('a row of a virtualised list keeps its hashes panel open when scrolled far out of the window and back', async ({
  page
}) => {
  test.setTimeout(180_000);
  const dir = tempDir();
  try {
    // More rows than the list renders in full (400), so only the rows near the viewport exist.
    const contents = await dropManyFiles(page, dir.path, 'long', 600);
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('name');

    const opened = row(page, 'long/f0002.bin');
    const neighbour = row(page, 'long/f0003.bin');
    await opened.locator('summary', { hasText: 'Hashes' }).click();
    await expect(opened.locator('details.hashes')).toHaveAttribute('open', '');
    await expect(opened.getByRole('button', { name: /^Copy SHA-256/ })).toBeVisible();

    // Far out of the window: the last row is rendered and the opened one no longer exists in the page.
    await scrollUntil(page, 'bottom', () =>
      expect(row(page, 'long/f0599.bin')).toHaveAttribute('aria-posinset', '600', { timeout: 1000 })
    );
    await expect(opened).toHaveCount(0);

    // Back: the row is built anew, and its panel is open with its digest and copy buttons; its neighbour's is not.
    await scrollUntil(page, 'top', () => expect(opened).toHaveCount(1, { timeout: 1000 }));
    await expect(opened.locator('details.hashes')).toHaveAttribute('open', '');
    await expect(opened.locator('[data-kind="sha256"]')).toBeVisible();
    await expect(opened.locator('[data-kind="sha256"]')).toHaveText(digestsOf(contents['f0002.bin']).sha256);
    await expect(opened.getByRole('button', { name: /^Copy SHA-256/ })).toBeVisible();
    await expect(neighbour.locator('details.hashes')).not.toHaveAttribute('open');

    // Closed, it stays closed the same way.
    await opened.locator('summary', { hasText: 'Hashes' }).click();
    await expect(opened.locator('details.hashes')).not.toHaveAttribute('open');
    await scrollUntil(page, 'bottom', () => expect(opened).toHaveCount(0, { timeout: 1000 }));
    await scrollUntil(page, 'top', () => expect(opened).toHaveCount(1, { timeout: 1000 }));
    await expect(opened.locator('details.hashes')).not.toHaveAttribute('open');
    await expect(opened.locator('[data-kind="sha256"]')).toBeHidden();
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
