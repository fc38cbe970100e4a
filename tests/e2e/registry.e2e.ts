import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { dropPaths, tempDir } from './helpers';

const MODELS = join(import.meta.dirname, '../fixtures/models');

const LENIENT_POLICY = `kind: PolicySet
name: team-gate
extends: safeload/builtin
disable: [approved-signer, provenance-pinned, license-allowed]
rules: []
`;

const BROKEN_POLICY = `kind: PolicySet
name: team-gate
rules:
  - id: no-pytorch
    severity: deny
    expression: model.files.exists(f, f.format ==)
    message: PyTorch files are not accepted.
`;

async function setPolicy(page: Page, text: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'Policy (YAML or JSON)' });
  // Typed before the page is hydrated, the text would be lost: retry until the app has stored it.
  await expect(async () => {
    await editor.fill(text);
    expect(await page.evaluate((t) => Object.values(localStorage).includes(t), text)).toBe(true);
  }).toPass();
}

/** Drops one fixture as a model, names it and files it in the registry. */
async function addModel(page: Page, file: string, name: string, version: string): Promise<void> {
  const clear = page.getByRole('button', { name: 'Clear the files' });
  if (await clear.isVisible()) await clear.click();
  await dropPaths(page, [join(MODELS, file)]);
  const form = page.getByRole('form', { name: 'Add the current files to the registry' });
  await expect(form.getByRole('checkbox', { name: file })).toBeChecked();
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Version').fill(version);
  await form.getByRole('button', { name: 'Add to registry' }).click();
  await expect(page.getByTestId('registry-notice')).toContainText(`Added ${name}@${version}`);
}

function modelRow(page: Page, name: string, version: string) {
  return page.locator(`tr[data-model="${name}"][data-version="${version}"]`);
}

test('policy editor: an invalid expression is shown at its line and column, a valid policy evaluates live', async ({
  page
}) => {
  await page.goto('/policy');
  await setPolicy(page, BROKEN_POLICY);
  const problem = page.locator('[data-error-line]');
  await expect(problem).toHaveCount(1);
  await expect(problem).toHaveAttribute('data-error-line', '6');
  // "    expression: " is 16 characters; the ")" the parser trips on is the 34th of the expression.
  await expect(problem).toHaveAttribute('data-error-column', '50');
  await expect(problem).toContainText('rule no-pytorch');
  await expect(page.getByRole('textbox', { name: 'Policy (YAML or JSON)' })).toHaveAttribute(
    'aria-invalid',
    'true'
  );

  await setPolicy(page, 'kind: PolicySet\nrules: [\n');
  await expect(page.locator('[data-error-line]')).toHaveCount(1);

  await setPolicy(page, LENIENT_POLICY);
  await expect(page.getByTestId('policy-problems')).toContainText('No problems');
  // The built-in rules are listed with their parameters.
  await expect(page.getByRole('region', { name: /Built-in rules/ })).toContainText('approvedSigners');

  // Live evaluation on the session's files, and the policy persists across a reload.
  await page.getByRole('link', { name: 'Registry & dashboard' }).click();
  await dropPaths(page, [join(MODELS, 'torch_zip_os_system.pt')]);
  await expect(page.getByRole('checkbox', { name: 'torch_zip_os_system.pt' })).toBeChecked();
  await page.getByRole('link', { name: 'Policy', exact: true }).click();
  await expect(page.getByTestId('live-outcome')).toHaveAttribute('data-outcome', 'fail');
  await expect(page.locator('[data-rule="no-critical-findings"]')).toHaveAttribute(
    'data-outcome',
    'violation'
  );
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Policy (YAML or JSON)' })).toHaveValue(LENIENT_POLICY);
});

test('registry: models filed with pass and fail, drill-down with remediation, export and re-import in a fresh browser', async ({
  page,
  browser,
  context
}) => {
  const dir = tempDir();
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/policy');
    await setPolicy(page, LENIENT_POLICY);
    await expect(page.getByTestId('policy-problems')).toContainText('No problems');
    await page.getByRole('link', { name: 'Registry & dashboard' }).click();

    await addModel(page, 'torch_state_dict.pt', 'acme/classifier', '1.0');
    await addModel(page, 'torch_zip_os_system.pt', 'evil/model', '0.1');
    await addModel(page, 'torch_full_module.pt', 'acme/full-module', '2.3');

    await expect(modelRow(page, 'acme/classifier', '1.0')).toHaveAttribute('data-status', 'pass');
    await expect(modelRow(page, 'evil/model', '0.1')).toHaveAttribute('data-status', 'fail');
    await expect(modelRow(page, 'acme/full-module', '2.3')).toHaveAttribute('data-status', 'fail');
    await expect(page.locator('tr[data-model]')).toHaveCount(3);
    await expect(
      page.getByRole('figure', { name: /Findings by severity over time/ }).locator('rect')
    ).not.toHaveCount(0);

    // Filters.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('pass');
    await expect(page.locator('tr[data-model]')).toHaveCount(1);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('all');
    await page.getByRole('combobox', { name: 'Findings at least' }).selectOption('critical');
    await expect(page.locator('tr[data-model]')).toHaveCount(1);
    await expect(modelRow(page, 'evil/model', '0.1')).toBeVisible();
    await page.getByRole('combobox', { name: 'Findings at least' }).selectOption('');
    await page.getByRole('searchbox', { name: 'Name' }).fill('acme');
    await expect(page.locator('tr[data-model]')).toHaveCount(2);
    await page.getByRole('searchbox', { name: 'Name' }).fill('');

    // Drill-down into the non-compliant model.
    await page.getByRole('button', { name: 'Open the report of evil/model@0.1' }).click();
    const detail = page.getByTestId('model-detail');
    await expect(detail).toHaveAttribute('data-model', 'evil/model');
    await expect(detail.getByRole('heading', { name: 'evil/model@0.1' })).toBeFocused();
    await expect(
      detail.locator('[data-rule="no-critical-findings"][data-outcome="violation"]')
    ).toBeVisible();
    await expect(detail.locator('li[data-severity="critical"]').first()).toContainText(/system/);
    const quarantine = detail.locator('li[data-action="quarantine"]');
    await expect(quarantine).toContainText('Do not load the model');
    await expect(detail.locator('li[data-action="convert-to-safetensors"]')).toBeVisible();
    await expect(detail.getByRole('figure', { name: /files → dependencies/ })).toContainText(
      'torch_zip_os_system.pt'
    );

    const [markdown] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: 'Download Markdown' }).click()
    ]);
    expect(markdown.suggestedFilename()).toBe('remediation-evil_model_0.1.md');
    const md = readFileSync(await markdown.path(), 'utf8');
    expect(md).toContain('# Remediation report: evil/model@0.1');
    expect(md).toContain('Do not load the model; quarantine it and report it');
    expect(md).toContain('Rule `no-critical-findings` (deny)');

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: 'Download JSON' }).click()
    ]);
    const plan = JSON.parse(readFileSync(await json.path(), 'utf8'));
    expect(plan.outcome).toBe('fail');
    expect(plan.actions.map((a: { kind: string }) => a.kind)).toContain('quarantine');

    await detail.getByRole('button', { name: 'Copy as issue' }).click();
    await expect(detail.getByRole('status')).toContainText('copied');
    const issue = await page.evaluate(() => navigator.clipboard.readText());
    expect(issue).toMatch(/^evil\/model@0\.1: \d+ policy violations? \(team-gate\)/);

    // Export the registry as one JSON file.
    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export registry JSON' }).click()
    ]);
    const exportPath = join(dir.path, 'registry.json');
    await exported.saveAs(exportPath);
    const exportedJson = JSON.parse(readFileSync(exportPath, 'utf8'));
    expect(exportedJson.format).toBe('safeload-registry');
    expect(exportedJson.records).toHaveLength(3);

    // A fresh browser profile: empty registry, a broken file is refused, the export brings everything back.
    const fresh = await browser.newContext();
    try {
      const other = await fresh.newPage();
      await other.goto('/registry');
      await expect(other.getByText('The registry is empty')).toBeVisible();
      const broken = join(dir.path, 'broken.json');
      exportedJson.records[1].status = 'maybe';
      writeFileSync(broken, JSON.stringify(exportedJson));
      await other.getByTestId('registry-import').setInputFiles(broken);
      await expect(other.getByTestId('import-errors')).toContainText('records[1].status');
      await expect(other.locator('tr[data-model]')).toHaveCount(0);

      // Verdicts are never taken from the file: the importing team's active policy decides them.
      await other.goto('/policy');
      await setPolicy(other, LENIENT_POLICY);
      await expect(other.getByTestId('policy-problems')).toContainText('No problems');
      await other.getByRole('link', { name: 'Registry & dashboard' }).click();
      await other.getByTestId('registry-import').setInputFiles(exportPath);
      await expect(other.getByTestId('registry-notice')).toContainText('3 added');
      await expect(modelRow(other, 'acme/classifier', '1.0')).toHaveAttribute('data-status', 'pass');
      await expect(modelRow(other, 'evil/model', '0.1')).toHaveAttribute('data-status', 'fail');
      await expect(modelRow(other, 'acme/full-module', '2.3')).toHaveAttribute('data-status', 'fail');
      await other.getByRole('button', { name: 'Open the report of acme/classifier@1.0' }).click();
      await expect(other.getByTestId('model-detail')).toContainText('Nothing to do: the model complies');
      // Persisted in IndexedDB: still there after a reload.
      await other.reload();
      await expect(other.locator('tr[data-model]')).toHaveCount(3);
    } finally {
      await fresh.close();
    }
  } finally {
    dir.remove();
  }
});
