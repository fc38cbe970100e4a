import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { dropPaths, MALICIOUS_PICKLE, tempDir, waitSettled, writeTree } from './helpers';

const MODELS = join(import.meta.dirname, '../fixtures/models');
const TEN = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
/** Nine nested comprehensions over ten elements: 10^9 iterations. */
const NESTED = Array.from({ length: 9 }, (_, i) => `${TEN}.all(x${i}, `).join('') + 'true' + ')'.repeat(9);

/** RFC 8785 for the plain values a manifest holds (strings, small integers, booleans, null). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** A sealed manifest (its digest is right), with the given files and Hub facts. */
function manifest(files: { path: string }[], repo: Record<string, unknown> | null = null) {
  const body = {
    schema: 'https://safeload.dev/schemas/hf-provenance-manifest',
    schemaVersion: 1,
    tool: { name: 'safeload', version: '0.1.0' },
    source: {
      kind: 'hub',
      hub: 'https://huggingface.co',
      repoType: 'model',
      repoId: 'acme/model',
      requestedRevision: null,
      resolvedCommit: null,
      purl: null,
      endpoints: []
    },
    capturedAt: '2026-01-01T00:00:00Z',
    downloadedAt: null,
    authenticated: false,
    lastCommit: null,
    repo,
    files: files.map((f) => ({
      path: f.path,
      size: 0,
      sha256: null,
      sha256Source: null,
      gitBlobSha1: null,
      gitBlobOf: null,
      lfs: false,
      status: 'not-checked'
    })),
    extraLocalFiles: []
  };
  const value = createHash('sha256').update(canonical(body)).digest('hex');
  return {
    ...body,
    digest: { algorithm: 'sha256', canonicalization: 'RFC8785-JCS, digest member removed', value }
  };
}

function linkFor(m: unknown): string {
  const packed = deflateSync(new TextEncoder().encode(canonical(m)), { level: 9 });
  return `/provenance#m=${Buffer.from(packed).toString('base64url')}`;
}

async function setPolicy(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Policy (YAML or JSON)' }).fill(text);
}

test('framed by another origin, the app renders only a notice and starts nothing', async ({
  page,
  baseURL
}) => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>evil</title><iframe src="${baseURL}/" width="900" height="600"></iframe>`);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  try {
    const port = (server.address() as { port: number }).port;
    await page.goto(`http://127.0.0.1:${port}/`);
    const frame = page.frameLocator('iframe');
    await expect(frame.getByTestId('framed')).toContainText('does not run inside a frame');
    await expect(frame.getByRole('link', { name: 'Open Safeload in its own tab' })).toHaveAttribute(
      'target',
      '_blank'
    );
    await expect(frame.getByTestId('drop-zone')).toHaveCount(0);
    await expect(frame.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    // Opened directly, the same page runs as usual.
    await page.goto('/');
    await expect(page.getByTestId('drop-zone')).toBeVisible();
    await expect(page.getByTestId('framed')).toHaveCount(0);
  } finally {
    server.close();
  }
});

test('bidi controls in a file name are isolated and shown, not obeyed', async ({ page }) => {
  const dir = tempDir();
  try {
    const name = 'invoice\u202egnp.pkl';
    writeTree(dir.path, { [name]: MALICIOUS_PICKLE });
    await page.goto('/');
    await dropPaths(page, [join(dir.path, name)]);
    await waitSettled(page, 1);
    const row = page.locator('li[data-path]');
    await expect(row).toHaveAttribute('data-path', name);
    const shown = row.locator('.path');
    await expect(shown).toContainText('invoice');
    await expect(shown.locator('mark.control')).toHaveText('U+202E RLO');
    expect(await shown.evaluate((el) => el.textContent)).not.toContain('\u202e');
    expect(await shown.locator('bdi').count()).toBe(1);
    expect(await shown.getAttribute('title')).toBe('invoice\\u202egnp.pkl');
  } finally {
    dir.remove();
  }
});

test('a runaway policy is ended in its worker: the page stays usable, now and after a reload', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const name = `${'a'.repeat(34)}!.pkl`;
    writeTree(dir.path, { [name]: MALICIOUS_PICKLE });
    await page.goto('/registry');
    await dropPaths(page, [join(dir.path, name)]);
    await expect(page.getByRole('checkbox', { name })).toBeChecked();
    await page.getByRole('link', { name: 'Policy', exact: true }).click();
    const redos = `kind: PolicySet
name: hostile
rules:
  - id: redos
    severity: deny
    message: m
    expression: "model.files.exists(f, f.path.matches('^(a+)+$'))"
  - id: nested
    severity: warn
    message: m
    expression: "${NESTED}"
  - id: fine
    severity: warn
    message: m
    expression: model.files.size() > 0
`;
    await setPolicy(page, redos);
    await expect(page.getByTestId('live-outcome')).toHaveAttribute('data-outcome', 'error', {
      timeout: 20_000
    });
    await expect(page.locator('[data-rule="redos"]')).toHaveAttribute('data-outcome', 'error');
    await expect(page.locator('[data-rule="redos"]')).toContainText('stopped after 3 s');
    await expect(page.locator('[data-rule="nested"]')).toContainText('evaluation steps');
    await expect(page.locator('[data-rule="fine"]')).toHaveAttribute('data-outcome', 'pass');
    // The main thread was never blocked: the editor still takes input at once.
    await setPolicy(page, `${redos}# edited\n`);
    await expect(page.getByRole('textbox', { name: 'Policy (YAML or JSON)' })).toHaveValue(/# edited/);
    // Saved, the policy does not freeze the next session either.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Policy', exact: true })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Policy (YAML or JSON)' })).toHaveValue(/# edited/);
    await page.getByRole('button', { name: 'Reset to the template' }).click();
    await expect(page.getByTestId('policy-problems')).toContainText('No problems');
  } finally {
    dir.remove();
  }
});

test('a YAML alias bomb is a positioned problem in the editor', async ({ page }) => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`
    );
  await page.goto('/policy');
  await setPolicy(
    page,
    `name: bomb\nextends: safeload/builtin\nparams:\n  ${lines.join('\n  ')}\nrules: []\n`
  );
  const problem = page.locator('[data-error-line]');
  await expect(problem).toHaveCount(1);
  await expect(problem).toHaveAttribute('data-error-line', '5');
  await expect(problem).toContainText(/alias/i);
  await expect(page.getByTestId('policy-problems')).not.toContainText('No problems');
});

test('a share link over the file bound is refused with the bound', async ({ page }) => {
  const many = manifest(Array.from({ length: 10_001 }, (_, i) => ({ path: i.toString(36) })));
  await page.goto(linkFor(many));
  await expect(page.locator('[data-problem="manifest"]')).toContainText('at most 10000');
});

test('a share link whose Hub facts repeat a tag still renders them', async ({ page }) => {
  const facts = {
    repoId: 'acme/model',
    private: false,
    gated: false,
    disabled: false,
    licenses: ['mit'],
    libraryName: null,
    pipelineTag: null,
    tags: ['x', 'x', 'pytorch', 'pytorch'],
    baseModels: [],
    remoteCode: { customCodeTag: false, autoMap: null, customClass: null },
    securityScan: null,
    lastModified: null,
    createdAt: null
  };
  await page.goto(linkFor(manifest([{ path: 'config.json' }], facts)));
  await expect(page.getByTestId('manifest-summary')).toBeVisible();
  await expect(page.locator('[data-fact="tags"] .tag')).toHaveCount(4);
});

test('a registry record with repeated file paths and rule ids still opens', async ({ page }) => {
  const dir = tempDir();
  try {
    await page.goto('/registry');
    await dropPaths(page, [join(MODELS, 'torch_zip_os_system.pt')]);
    const form = page.getByRole('form', { name: 'Add the current files to the registry' });
    await form.getByLabel('Name').fill('evil/model');
    await form.getByLabel('Version').fill('1');
    await form.getByRole('button', { name: 'Add to registry' }).click();
    await expect(page.getByTestId('registry-notice')).toContainText('Added evil/model@1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export registry JSON' }).click()
    ]);
    const file = JSON.parse(
      await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString())
    );
    const record = file.records[0];
    record.version = '2';
    record.reports[0].files.push(record.reports[0].files[0]);
    record.policyResults[0].results.push(record.policyResults[0].results[0]);
    const path = join(dir.path, 'dupes.json');
    writeFileSync(path, JSON.stringify(file));
    await page.getByTestId('registry-import').setInputFiles(path);
    await expect(page.getByTestId('registry-notice')).toContainText('1 added');
    await page.getByRole('button', { name: 'Open the report of evil/model@2' }).click();
    const detail = page.getByTestId('model-detail');
    await expect(detail.getByRole('heading', { name: 'evil/model@2' })).toBeVisible();
    await expect(detail.getByRole('figure', { name: /files → dependencies/ })).toContainText(
      'torch_zip_os_system.pt'
    );
  } finally {
    dir.remove();
  }
});
