import { test, expect } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadOsvRecords } from '../unit/deps-fixtures';
import { dropPaths, tempDir } from './helpers';
test.use({ serviceWorkers: 'block' });
test.setTimeout(300_000);
test('bench index', async ({ page }) => {
  const tmp = tempDir();
  const base = loadOsvRecords();
  const entries: Record<string, Uint8Array> = {};
  const N = 20000;
  for (let i = 0; i < N; i++) {
    const r = structuredClone(base[i % base.length]);
    r.id = `BENCH-${i}`;
    for (const a of r.affected ?? []) if (a.package) a.package.name = `${a.package.name}-${i % 3000}`;
    entries[`${r.id}.json`] = strToU8(JSON.stringify(r));
  }
  const zip = join(tmp.path, 'all.zip');
  writeFileSync(zip, zipSync(entries, { level: 6 }));
  console.log('zip bytes', statSync(zip).size);
  await page.goto('/dependencies');
  const t0 = Date.now();
  await dropPaths(page, [zip], page.getByTestId('database-drop'));
  await expect(page.getByTestId('database-records')).toHaveText('20,000', { timeout: 280000 });
  console.log('index ms', Date.now() - t0);
  await page.getByLabel('Or paste a requirement or lock file').fill('torch-5==1.13.0\nnumpy-7==1.0\n');
  await expect(page.locator('li[data-package="torch-5"]')).toHaveCount(1);
  const t1 = Date.now();
  await page.getByTestId('check-offline').click();
  await expect(page.locator('li[data-package="torch-5"]')).not.toHaveAttribute('data-vulns', '');
  console.log('audit ms', Date.now() - t1, await page.locator('li[data-package="torch-5"]').getAttribute('data-vulns'));
  tmp.remove();
});
