import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { dropPaths, MALICIOUS_PICKLE, row, tempDir, waitSettled, writeTree } from './helpers';

test('what the browser cannot read in a dropped folder is an error row, never silently absent', async ({
  page
}) => {
  test.setTimeout(120_000);
  const dir = tempDir();
  try {
    const root = join(dir.path, 'model');
    writeTree(root, { 'weights.pkl': MALICIOUS_PICKLE });
    // Folders nested deeper than the walk goes: the file at the bottom is not read.
    const deep = join(root, ...Array.from({ length: 70 }, () => 'd'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'hidden.pkl'), MALICIOUS_PICKLE);
    // A Hugging Face cache snapshot: only links into blobs/, which browsers leave out of a dropped folder.
    const snapshot = join(root, 'models--org--name', 'snapshots', 'a'.repeat(40));
    mkdirSync(snapshot, { recursive: true });
    mkdirSync(join(root, 'models--org--name', 'blobs'));
    writeFileSync(join(root, 'models--org--name', 'blobs', 'b'.repeat(64)), MALICIOUS_PICKLE);
    symlinkSync(join('..', '..', 'blobs', 'b'.repeat(64)), join(snapshot, 'pytorch_model.bin'));

    await page.goto('/');
    await dropPaths(page, [root]);
    await waitSettled(page, 4);
    await expect(row(page, 'model/weights.pkl')).toHaveAttribute('data-verdict', 'critical');
    await expect(row(page, `model/models--org--name/blobs/${'b'.repeat(64)}`)).toHaveAttribute(
      'data-verdict',
      'critical'
    );
    const tooDeep = page.locator('li[data-state="error"]', { hasText: 'nested more than 64 deep' });
    await expect(tooDeep).toHaveCount(1);
    await expect(tooDeep).toHaveAttribute('data-sha256', '');
    const emptySnapshot = row(page, `model/models--org--name/snapshots/${'a'.repeat(40)}`);
    await expect(emptySnapshot).toHaveAttribute('data-state', 'error');
    await expect(emptySnapshot.getByRole('status')).toContainText('symbolic links');
  } finally {
    dir.remove();
  }
});
