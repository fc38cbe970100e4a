import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { digestsOf, row, rows, tempDir, waitSettled, writeLargeFile, writeTree } from './helpers';

test('cancelling a large file mid-way leaves the other files to finish', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = tempDir();
  try {
    const big = join(dir.path, 'big-512mib.bin');
    writeLargeFile(big, 512);
    const small = { 'a.bin': new TextEncoder().encode('first small file'), 'b.bin': Uint8Array.of(1, 2, 3) };
    const smallPaths = writeTree(dir.path, small);
    await page.goto('/');

    await page.locator('#file-input').setInputFiles([...smallPaths, big]);
    const bigRow = row(page, 'big-512mib.bin');
    await expect(bigRow).toHaveAttribute('data-state', 'hashing');
    await expect
      .poll(async () => Number(await bigRow.getAttribute('data-done')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await bigRow.getByRole('button', { name: /^Cancel/ }).click();

    await expect(bigRow).toHaveAttribute('data-state', 'cancelled');
    await expect(bigRow).toHaveAttribute('data-sha256', '');
    const doneBytes = Number(await bigRow.getAttribute('data-done'));
    expect(doneBytes).toBeLessThan(512 * 1024 * 1024);

    await waitSettled(page, 3);
    const seen = await rows(page);
    for (const [name, bytes] of Object.entries(small)) {
      expect(seen.get(name)?.state).toBe('done');
      expect(seen.get(name)?.sha256).toBe(digestsOf(bytes).sha256);
    }

    // The pool still works after a cancel (its worker either stopped cleanly or was replaced).
    const [later] = writeTree(dir.path, { 'later.bin': Uint8Array.of(9) });
    await page.locator('#file-input').setInputFiles(later);
    await expect(row(page, 'later.bin')).toHaveAttribute('data-sha256', digestsOf(Uint8Array.of(9)).sha256);
  } finally {
    dir.remove();
  }
});

test('cancel all stops queued and running files', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = tempDir();
  try {
    const paths = [256, 200, 150].map((mib) => {
      const path = join(dir.path, `f${mib}.bin`);
      writeLargeFile(path, mib);
      return path;
    });
    // Two cores, so two workers whatever the machine: the smallest file waits behind the two largest.
    await page.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 })
    );
    await page.goto('/');
    expect(await page.evaluate(() => navigator.hardwareConcurrency)).toBe(2);
    await page.locator('#file-input').setInputFiles(paths);
    await expect(page.locator('li[data-state="hashing"]')).toHaveCount(2);
    await expect(row(page, 'f150.bin')).toHaveAttribute('data-state', 'queued');
    await page.getByRole('button', { name: 'Cancel all' }).click();
    await waitSettled(page, 3);
    const states = [...(await rows(page)).values()].map((r) => r.state);
    expect(states.filter((s) => s === 'cancelled').length).toBeGreaterThanOrEqual(1);
    // The queued file never ran: cancelled with no byte read.
    await expect(row(page, 'f150.bin')).toHaveAttribute('data-state', 'cancelled');
    await expect(row(page, 'f150.bin')).toHaveAttribute('data-done', '0');
  } finally {
    dir.remove();
  }
});
