import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { row, waitSettled } from './helpers';

// The loader-behaviour samples (tests/fixtures/loaders/README.md) through the real site: the bzip2 and LZMA
// decoders, hidden-payload decoding and TorchScript analysis run in the scan worker under the page's CSP.
const LOADERS = join(import.meta.dirname, '../fixtures/loaders');
const SAMPLES: [string, string, RegExp][] = [
  ['compressed_bz2.joblib', 'critical', /posix\.system\("echo pwned"\)/],
  ['compressed_lzma.joblib', 'critical', /posix\.system\("echo pwned"\)/],
  ['hidden_base64.pkl', 'medium', /Hidden pickle payload \(base64 text\)/],
  ['torchscript_setstate_reads_file.pt', 'critical', /TorchScript __setstate__ calls torch\.from_file/],
  ['twin_compressed_bz2.joblib', 'clean', /./],
  ['twin_checkpoint_values.pkl', 'medium', /only construct values/]
];

test('loader-behaviour samples get their verdicts in the browser', async ({ page }) => {
  await page.goto('/');
  await page.locator('#file-input').setInputFiles(SAMPLES.map(([f]) => join(LOADERS, f)));
  await waitSettled(page, SAMPLES.length);
  for (const [file, verdict, text] of SAMPLES) {
    const r = row(page, file);
    await expect(r).toHaveAttribute('data-verdict', verdict);
    if (verdict === 'clean') continue;
    await r.getByRole('button', { name: /^Details/ }).click();
    await expect(r.getByRole('region', { name: 'Findings' })).toContainText(text);
  }
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await row(page, 'hidden_base64.pkl').scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/loaders-${width}.png`, fullPage: false });
  }
});
