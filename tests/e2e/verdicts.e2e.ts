import { expect, test } from '@playwright/test';
import { MALICIOUS_PICKLE, row, tempDir, waitSettled, writeTree } from './helpers';

test('a plain file gets a verdict', async ({ page }) => {
  const dir = tempDir();
  try {
    const [path] = writeTree(dir.path, { 'notes.txt': new TextEncoder().encode('just some text\n') });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(path);
    await waitSettled(page, 1);
    await expect(row(page, 'notes.txt')).toHaveAttribute('data-verdict', /^(clean|info|low)$/);
  } finally {
    dir.remove();
  }
});

test('a pickle calling os.system is critical and the details show the import', async ({ page }) => {
  const dir = tempDir();
  try {
    const [path] = writeTree(dir.path, { 'evil.pkl': MALICIOUS_PICKLE });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(path);
    const evil = row(page, 'evil.pkl');
    await expect(evil).toHaveAttribute('data-state', 'done');
    await expect(evil).toHaveAttribute('data-verdict', 'critical');

    await evil.getByRole('button', { name: /^Details/ }).click();
    const panel = evil.getByRole('region', { name: 'Findings' });
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('system');
    await expect(panel.locator('.badge.sev-critical').first()).toBeVisible();

    // The severity filter hides findings without losing them.
    await panel.getByRole('checkbox', { name: /critical/ }).uncheck();
    await expect(panel.locator('li.finding .sev-critical')).toHaveCount(0);
    await panel.getByRole('checkbox', { name: /critical/ }).check();
    await expect(panel.locator('li.finding .sev-critical')).not.toHaveCount(0);
  } finally {
    dir.remove();
  }
});
