import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { verdictFolder } from './folders';
import {
  digestsOf,
  downloadJson,
  dropPaths,
  MALICIOUS_PICKLE,
  row,
  rows,
  tempDir,
  waitSettled,
  writeTree
} from './helpers';

const CLI = resolve('bin/safeload.mjs');

/** The verdict folder plus a PyTorch zip, an ONNX model and a config whose remote code is missing. */
function reportFolder(root: string): string {
  const folder = verdictFolder(root);
  const fixture = (rel: string) => new Uint8Array(readFileSync(join('tests/fixtures', rel)));
  writeTree(folder, {
    'pytorch_model.bin': fixture('models/torch_zip_os_system.pt'),
    'custom.onnx': fixture('onnx/custom_domain.onnx'),
    'config.json': new TextEncoder().encode(JSON.stringify({ auto_map: { AutoModel: 'modeling_x.X' } }))
  });
  return folder;
}

test('JSON and SARIF exports are exactly what the CLI writes for the same folder', async ({ page }) => {
  const dir = tempDir();
  try {
    reportFolder(dir.path);
    await page.goto('/');
    await dropPaths(page, [join(dir.path, 'vendor')]);
    await waitSettled(page, 9);
    const json = await downloadJson(page, 'Export JSON');
    const sarif = await downloadJson(page, 'Export SARIF');

    const sarifPath = join(dir.path, 'cli.sarif');
    const cli = spawnSync(process.execPath, [CLI, 'scan', 'vendor', '--json', '--sarif', sarifPath], {
      cwd: dir.path,
      encoding: 'utf8'
    });
    expect(cli.status, cli.stderr).toBe(1); // something critical
    const cliJson = JSON.parse(cli.stdout);
    expect(cliJson.files).toHaveLength(9);
    expect(json).toEqual(cliJson);
    expect(sarif).toEqual(JSON.parse(readFileSync(sarifPath, 'utf8')));

    // What was inspected is part of both (an additive field of the JSON contract).
    const bin = cliJson.files.find((f: { path: string }) => f.path === 'vendor/pytorch_model.bin');
    expect(bin.inspected.parts.map((p: { kind: string }) => p.kind)).toEqual(['pickle-imports', 'member']);
  } finally {
    dir.remove();
  }
});

test('the printed report has no navigation, drop zone or buttons, and keeps badges, hashes and evidence', async ({
  page
}, testInfo) => {
  const dir = tempDir();
  try {
    reportFolder(dir.path);
    await page.addInitScript(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await page.goto('/');
    await dropPaths(page, [join(dir.path, 'vendor')]);
    await waitSettled(page, 9);

    await page.getByRole('button', { name: 'Print report' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

    await page.emulateMedia({ media: 'print' });
    const report = page.getByRole('article', { name: 'Printable report' });
    await expect(report).toBeVisible();
    const attention = [...(await rows(page)).values()].filter((r) =>
      ['critical', 'high', 'medium'].includes(r.verdict)
    ).length;
    await expect(report).toContainText(`${attention} of 9 files need attention`);
    await expect(page.getByRole('navigation')).toBeHidden();
    await expect(page.getByTestId('drop-zone')).toBeHidden();
    const visibleButtons = await page
      .locator('button')
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
    expect(visibleButtons).toBe(0);
    // Hashes and evidence are kept; the critical badge keeps its colour.
    await expect(report).toContainText(digestsOf(MALICIOUS_PICKLE).sha256);
    await expect(report).toContainText('Payload: Loading calls os.system("echo hi")');
    await expect(report).toContainText('Use: Called while loading through REDUCE');
    const badge = report.locator('.badge.sev-critical').first();
    await expect(badge).toHaveCSS('background-color', 'rgb(155, 16, 32)');
    await expect(badge).toHaveCSS('print-color-adjust', 'exact');

    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const out = testInfo.outputPath('report.pdf');
    mkdirSync(testInfo.outputDir, { recursive: true });
    writeFileSync(out, pdf);
    await testInfo.attach('report.pdf', { path: out, contentType: 'application/pdf' });
    // For a person to look at: the first page as a PNG, where poppler's pdftoppm is installed.
    const png = spawnSync('pdftoppm', [
      '-png',
      '-r',
      '60',
      '-f',
      '1',
      '-l',
      '1',
      out,
      testInfo.outputPath('page')
    ]);
    if (png.status === 0) {
      await testInfo.attach('page-1.png', {
        path: testInfo.outputPath('page-1.png'),
        contentType: 'image/png'
      });
    }
  } finally {
    dir.remove();
  }
});

/** Waits until the kept copy in IndexedDB (a head record and records of jobs) holds `count` files. */
async function waitKept(page: Page, count: number): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<number>((done) => {
            const open = indexedDB.open('safeload-session');
            open.onsuccess = () => {
              const db = open.result;
              if (!db.objectStoreNames.contains('session')) return done(-1);
              const store = db.transaction('session').objectStore('session');
              const head = store.get('head');
              const keys = store.getAllKeys();
              const values = store.getAll();
              values.onsuccess = () => {
                const generation = (head.result as { generation?: string } | undefined)?.generation;
                if (!generation) return done(0);
                let jobs = 0;
                keys.result.forEach((key, i) => {
                  if (String(key).startsWith(`jobs:${generation}:`))
                    jobs += (values.result[i] as unknown[]).length;
                });
                done(jobs);
              };
              values.onerror = () => done(-1);
            };
            open.onerror = () => done(-1);
          })
      )
    )
    .toBe(count);
}

test('results survive a reload, say what was not kept, and are cleared on request', async ({ page }) => {
  const dir = tempDir();
  try {
    const folder = verdictFolder(dir.path);
    await page.goto('/');
    await dropPaths(page, [folder]);
    await waitSettled(page, 6);
    const before = await rows(page);
    await waitKept(page, 6);

    await page.reload();
    await waitSettled(page, 6);
    const after = await rows(page);
    for (const [path, r] of before) {
      expect(after.get(path)).toMatchObject({ sha256: r.sha256, verdict: r.verdict, state: r.state });
    }
    await expect(page.getByTestId('triage-header').getByRole('heading')).toHaveText('3 of 6 need attention');
    const notice = page.getByTestId('session-notice');
    await expect(notice).toContainText('6 results from your last visit');
    await expect(notice).toContainText('The files themselves were not kept');
    const evil = row(page, 'vendor/evil.pkl');
    await expect(evil).toContainText('from your last visit (file not kept)');
    await evil.getByRole('button', { name: /^Details/ }).click();
    await expect(evil).toContainText('the file is not available after a reload');

    // Dropping the folder again replaces the restored rows with files that can be read.
    await dropPaths(page, [folder]);
    await waitSettled(page, 6);
    await expect(page.locator('li[data-path]', { hasText: 'from your last visit' })).toHaveCount(0);
    await expect(notice).not.toContainText('from your last visit');

    // Clearing the list clears what is kept.
    await page.getByRole('button', { name: 'Clear list' }).click();
    await waitKept(page, 0);
    await page.reload();
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.locator('li[data-path]')).toHaveCount(0);

    // Switched off, nothing is kept at all.
    await dropPaths(page, [folder]);
    await waitSettled(page, 6);
    await page.getByLabel('Keep results after a reload').uncheck();
    await expect(notice).toContainText('Results are not kept');
    await page.reload();
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.locator('li[data-path]')).toHaveCount(0);
  } finally {
    dir.remove();
  }
});
