import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { dropPaths, MALICIOUS_PICKLE, row, rows, tempDir, waitSettled, writeTree } from './helpers';

test('a plain text file is hashed and says no model format was recognised (info, not clean)', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const [path] = writeTree(dir.path, { 'notes.txt': new TextEncoder().encode('just some text\n') });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(path);
    await waitSettled(page, 1);
    const notes = row(page, 'notes.txt');
    await expect(notes).toHaveAttribute('data-verdict', 'info');
    await notes.getByRole('button', { name: /^Details/ }).click();
    await expect(notes.getByRole('region', { name: 'Findings' })).toContainText('No model format recognised');
  } finally {
    dir.remove();
  }
});

test('every fixture of the table gets, in the browser, the verdict the table gives it', async ({ page }) => {
  const models = join(import.meta.dirname, '../fixtures/models');
  const { cases } = JSON.parse(readFileSync(join(models, 'cases.json'), 'utf8')) as {
    cases: { file: string; verdict: string; pending?: string }[];
  };
  const settled = cases.filter((c) => !c.pending);
  // Clean and malicious files side by side, so a page that calls everything one thing fails.
  expect(settled.map((c) => c.verdict)).toEqual(expect.arrayContaining(['clean', 'medium', 'critical']));
  await page.goto('/');
  await page.locator('#file-input').setInputFiles(settled.map((c) => join(models, c.file)));
  await waitSettled(page, settled.length);
  const seen = await rows(page);
  expect(Object.fromEntries(settled.map((c) => [c.file, seen.get(c.file)?.verdict]))).toEqual(
    Object.fromEntries(settled.map((c) => [c.file, c.verdict]))
  );
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

test('a dropped folder is checked as one model: index against shards, remote code present', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const shard = new Uint8Array(readFileSync('tests/fixtures/safetensors/tiny-benign.safetensors'));
    const index = {
      metadata: { total_size: 0 },
      // The real shard holds 4 tensors; the index claims 2 there and names a second shard that is absent.
      weight_map: {
        'embed.weight': 'model-00001-of-00002.safetensors',
        'norm.weight': 'model-00001-of-00002.safetensors',
        'lm_head.weight': 'model-00002-of-00002.safetensors'
      }
    };
    const config = { model_type: 'x', auto_map: { AutoModel: 'modeling_x.XModel' } };
    const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    writeTree(join(dir.path, 'model'), {
      'model-00001-of-00002.safetensors': shard,
      'model.safetensors.index.json': text(index),
      'config.json': text(config)
    });
    await page.goto('/');
    await dropPaths(page, [join(dir.path, 'model')]);
    await waitSettled(page, 3);
    const indexRow = row(page, 'model/model.safetensors.index.json');
    await expect(indexRow).toHaveAttribute('data-verdict', 'medium');
    await indexRow.getByRole('button', { name: /^Details/ }).click();
    const panel = indexRow.getByRole('region', { name: 'Findings' });
    await expect(panel).toContainText('folder.missing.shard');
    await expect(panel).toContainText('folder.mismatch.shard');
    const configRow = row(page, 'model/config.json');
    await configRow.getByRole('button', { name: /^Details/ }).click();
    await expect(configRow.getByRole('region', { name: 'Findings' })).toContainText(
      'folder.missing.remote-code'
    );
  } finally {
    dir.remove();
  }
});
