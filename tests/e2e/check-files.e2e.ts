import { readdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES_REQUIRED, SHARED_ROOT, sharedPath } from '../shared-fixtures';
import { verdictFolder } from './folders';
import { dropPaths, row, rows, tempDir, waitSettled, writeTree } from './helpers';

const ATTENTION = new Set(['critical', 'high', 'medium']);

/** Verdict counts as the rows themselves say (data-verdict, data-state). */
async function rowCounts(page: Page): Promise<{ by: Map<string, number>; total: number; attention: number }> {
  const by = new Map<string, number>();
  let attention = 0;
  const all = [...(await rows(page)).values()];
  for (const r of all) {
    const key = r.state === 'error' ? 'unreadable' : r.state === 'cancelled' ? 'cancelled' : r.verdict;
    by.set(key, (by.get(key) ?? 0) + 1);
    if (ATTENTION.has(key) || key === 'unreadable' || key === 'cancelled') attention++;
  }
  return { by, total: all.length, attention };
}

/** The header's chips, its headline and the listed rows agree with each other and with the rows. */
async function checkHeader(page: Page) {
  const counts = await rowCounts(page);
  const header = page.getByTestId('triage-header');
  await expect(header.getByRole('heading')).toHaveText(
    counts.attention
      ? `${counts.attention} of ${counts.total} need${counts.attention === 1 ? 's' : ''} attention`
      : `No file needs attention (${counts.total} files checked)`
  );
  for (const [verdict, n] of counts.by) {
    await expect(header.locator(`button[data-triage="${verdict}"]`)).toContainText(String(n));
  }
  await expect(header.locator('button[data-triage]')).toHaveCount(counts.by.size);
  return counts;
}

/** The verdicts of the listed rows, top to bottom. */
async function listedVerdicts(page: Page): Promise<string[]> {
  return page
    .locator('li[data-path]')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.verdict ?? ''));
}

test('the triage header counts a dropped folder, lists dangerous files first and filters', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const folder = verdictFolder(dir.path);
    await page.goto('/');
    await dropPaths(page, [folder]);
    await waitSettled(page, 6);
    await expect(row(page, 'vendor/evil.pkl')).toHaveAttribute('data-verdict', 'critical');
    await expect(row(page, 'vendor/model.safetensors')).toHaveAttribute('data-verdict', 'clean');
    await expect(row(page, 'vendor/overlap.gguf')).toHaveAttribute('data-verdict', 'high');
    await expect(row(page, 'vendor/broken.safetensors')).toHaveAttribute('data-verdict', 'medium');
    const counts = await checkHeader(page);
    expect(counts.attention).toBe(3);

    // Most dangerous first.
    expect((await listedVerdicts(page)).slice(0, 3)).toEqual(['critical', 'high', 'medium']);

    // Hashes are collapsed until asked for.
    const evil = row(page, 'vendor/evil.pkl');
    await expect(evil.locator('[data-kind="sha256"]')).toBeHidden();
    await evil.getByText('Hashes').click();
    await expect(evil.locator('[data-kind="sha256"]')).toBeVisible();

    // A verdict chip shows only its files; a second chip adds its own.
    const header = page.getByTestId('triage-header');
    await header.locator('button[data-triage="critical"]').click();
    await expect(header.locator('button[data-triage="critical"]')).toHaveAttribute('aria-pressed', 'true');
    expect(await listedVerdicts(page)).toEqual(['critical']);
    await header.locator('button[data-triage="clean"]').click();
    expect((await listedVerdicts(page)).sort()).toEqual(['clean', 'clean', 'critical']);
    await expect(page.getByTestId('shown-count')).toHaveText('3 of 6 files listed');
    await header.getByRole('button', { name: 'Only what needs attention' }).click();
    expect(await listedVerdicts(page)).toEqual(['critical', 'high', 'medium']);
    await header.getByRole('button', { name: 'Show all files' }).click();
    await expect(page.locator('li[data-path]')).toHaveCount(6);

    // Format and name filters, and sorting by name.
    await page.getByRole('combobox', { name: 'Format', exact: true }).selectOption('gguf');
    await expect(page.locator('li[data-path]')).toHaveCount(1);
    await page.getByRole('combobox', { name: 'Format', exact: true }).selectOption('');
    await page.getByLabel('Name contains').fill('SAFETENSORS');
    await expect(page.locator('li[data-path]')).toHaveCount(2);
    await page.getByLabel('Name contains').fill('');
    await page.getByRole('combobox', { name: 'Sort', exact: true }).selectOption('name');
    const paths = await page
      .locator('li[data-path]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.path));
    expect(paths).toEqual([
      'vendor/broken.safetensors',
      'vendor/evil.pkl',
      'vendor/model.safetensors',
      'vendor/notes.txt',
      'vendor/overlap.gguf',
      'vendor/sub/state.pkl'
    ]);
  } finally {
    dir.remove();
  }
});

test('a critical finding has a payload line, plain words, the full import list and the bytes', async ({
  page
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: /sample files/ }).click();
  await waitSettled(page, 5);
  const evil = row(page, 'safeload-samples/evil-checkpoint.pt');
  await expect(evil).toHaveAttribute('data-verdict', 'critical');
  await evil.getByRole('button', { name: /^Details/ }).click();
  const finding = evil.locator('li.finding[data-rule="pickle.call.dangerous"]');
  await expect(finding.getByTestId('payload-summary')).toHaveText(
    /Payload: Loading calls os\.system\("echo pwned"\) — it /
  );
  const facts = await finding.locator('dl.facts dt').allTextContents();
  for (const raw of ['called', 'passedToACall', 'callOffset']) expect(facts).not.toContain(raw);
  await expect(finding).toContainText('Called while loading through REDUCE at offset 27.');

  // The hex view reads the File around the offset; archive/data.pkl is stored, so its offset maps into the file.
  await finding.getByRole('button', { name: 'Show bytes at offset 46' }).click();
  await expect(finding.locator('mark').first()).toHaveText('63'); // "c", the GLOBAL opcode
  await expect(finding.getByRole('group', { name: /Hex dump/ })).toContainText('s.system.(S');

  // Every import is listed, including the safe ones of a benign checkpoint.
  const benign = row(page, 'safeload-samples/state-dict.pt');
  await benign.getByRole('button', { name: /^Details/ }).click();
  const imports = benign.locator('details[data-kind="pickle-imports"]');
  await imports.locator('summary').click();
  await expect(imports.getByRole('region', { name: /Imports in archive\/data\.pkl/ })).toContainText(
    'torch._utils._rebuild_tensor_v2'
  );
  await expect(imports).toContainText('on the safe list');

  // GGUF: metadata values and the tensor table with offsets.
  const gguf = row(page, 'safeload-samples/tiny-llm.gguf');
  await gguf.getByRole('button', { name: /^Details/ }).click();
  for (const summary of await gguf.locator('details summary').all()) await summary.click();
  await expect(gguf.locator('details[data-kind="metadata"]')).toContainText('general.architecture');
  await expect(gguf.locator('details[data-kind="tensors"] tbody tr').first()).toContainText(
    'token_embd.weight'
  );

  // ONNX: opsets and the custom domain.
  const onnx = row(page, 'safeload-samples/custom-op.onnx');
  await onnx.getByRole('button', { name: /^Details/ }).click();
  await onnx.locator('details[data-kind="metadata"] summary').click();
  await expect(onnx.locator('details[data-kind="metadata"]')).toContainText('Operators (custom) evil.custom');
});

test('the triage header agrees with every row on the peer corpus', async ({ page }) => {
  test.skip(!SHARED_ROOT && !FIXTURES_REQUIRED, 'needs the shared fixture set (../shared/corpus)');
  test.setTimeout(300_000);
  const corpus = sharedPath('corpus');
  const expected = readdirSync(corpus, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile()
  ).length;
  await page.goto('/');
  await dropPaths(page, [corpus]);
  await expect(page.getByTestId('announcement')).toHaveText(/Finished/, { timeout: 240_000 });
  await waitSettled(page, expected, 60_000);
  const counts = await checkHeader(page);
  expect(counts.by.get('critical') ?? 0).toBeGreaterThan(50);

  const header = page.getByTestId('triage-header');
  await header.locator('button[data-triage="critical"]').click();
  const listed = await listedVerdicts(page);
  expect(listed.length).toBe(counts.by.get('critical'));
  expect(new Set(listed)).toEqual(new Set(['critical']));
  await header.getByRole('button', { name: 'Show all files' }).click();
  const all = await listedVerdicts(page);
  const firstCalm = all.findIndex((v) => !ATTENTION.has(v));
  expect(
    all.slice(firstCalm).some((v) => ATTENTION.has(v)),
    'attention rows come first'
  ).toBe(false);
});

test('at 390 px an expanded finding with a long disassembly keeps its badge and buttons on screen', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const long = 'x'.repeat(400);
    const [path] = writeTree(dir.path, {
      'wide.pkl': new TextEncoder().encode(`cos\nsystem\n(S'${long}'\ntR.`)
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(path);
    await waitSettled(page, 1);
    const wide = row(page, 'wide.pkl');
    await wide.getByRole('button', { name: /^Details/ }).click();
    await expect(wide.getByRole('region', { name: 'Disassembly around the finding' })).toBeVisible();
    for (const target of [
      wide.locator('.actions .badge'),
      wide.getByRole('button', { name: /^Hide/ }),
      wide.locator('li.finding .head .badge')
    ]) {
      const box = (await target.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  } finally {
    dir.remove();
  }
});
