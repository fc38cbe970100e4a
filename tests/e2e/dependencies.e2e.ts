import { Validator, type Schema } from '@cfworker/json-schema';
import { expect, test, type Page, type Route } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOsvRecords, LOCK_DIR, SCHEMA_DIR, osvRecord } from '../unit/deps-fixtures';
import { digestsOf, dropPaths, tempDir, writeTree } from './helpers';
import { describeShared } from './shared';

test.use({ serviceWorkers: 'block' });

const CDX_RES = join(import.meta.dirname, '../../node_modules/@cyclonedx/cyclonedx-library/res/schema');
const lock = (name: string) => readFileSync(join(LOCK_DIR, name));
const WEIGHTS = strToU8('\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000{}');

/** A model folder with real requirement and lock files from the shared fixtures. */
function modelFolder(root: string): string {
  writeTree(root, {
    'tiny-model/model.safetensors': WEIGHTS,
    'tiny-model/config.json': strToU8('{"model_type": "bert"}'),
    'tiny-model/requirements.txt': lock('requirements_testdata_with_versions.txt'),
    'tiny-model/requirements-torch.txt': strToU8('torch==1.13.0\ntransformers==4.36.0\n'),
    'tiny-model/uv.lock': lock('uvlock_testdata_one-package.lock'),
    'tiny-model/pylock.toml': lock('pylock_testdata_example.toml')
  });
  return join(root, 'tiny-model');
}

/** What osv.dev's querybatch answers (ids and modified dates of the real records); torch over two pages. */
const ANSWERS: Record<string, string[][]> = {
  'torch@1.13.0': [['PYSEC-2022-43015'], ['GHSA-53q9-r3pm-6pq6']],
  'transformers@4.36.0': [['GHSA-37q5-v5qm-c9v8']],
  'nltk@3.2.2': [['PYSEC-2021-356']]
};

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' };

interface Query {
  package: { name: string; ecosystem: string };
  version: string;
  page_token?: string;
}

/** Answers api.osv.dev the way it answers, from the real records; logs every request the page makes. */
async function routeOsv(page: Page, log: string[], bodies: Query[][] = []): Promise<void> {
  await page.route('https://api.osv.dev/**', async (route: Route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    log.push(`${request.method()} ${path}`);
    if (request.method() === 'POST' && path === '/v1/querybatch') {
      const { queries } = request.postDataJSON() as { queries: Query[] };
      bodies.push(queries);
      const results = queries.map((q) => {
        expect(q.package.ecosystem).toBe('PyPI');
        const pages = ANSWERS[`${q.package.name}@${q.version}`] ?? [[]];
        const at = q.page_token ? Number(q.page_token.replace('page-', '')) : 0;
        const ids = pages[at] ?? [];
        return {
          ...(ids.length ? { vulns: ids.map((id) => ({ id, modified: osvRecord(id).modified })) } : {}),
          ...(at + 1 < pages.length ? { next_page_token: `page-${at + 1}` } : {})
        };
      });
      return route.fulfill({ json: { results }, headers: CORS });
    }
    const id = /^\/v1\/vulns\/(.+)$/.exec(path)?.[1];
    if (request.method() === 'GET' && id)
      return route.fulfill({ json: osvRecord(decodeURIComponent(id)), headers: CORS });
    return route.fulfill({ status: 404, json: { code: 5, message: 'Not found' }, headers: CORS });
  });
}

async function openWithModel(page: Page, folder: string): Promise<void> {
  await page.goto('/dependencies');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('vulnerabilities');
  await dropPaths(page, [folder]);
  await expect(page.locator('[data-input]')).toHaveCount(4);
}

/** Waits until the dropped files are hashed: the BOM lists the model's two files. */
async function waitHashed(page: Page): Promise<void> {
  await expect(page.getByTestId('model-files')).toHaveAttribute('data-pending', '0');
  await expect(page.getByTestId('model-files')).toHaveAttribute('data-hashed', '2');
}

function pkg(page: Page, name: string) {
  return page.locator(`li[data-package="${name}"]`);
}

async function expectFindings(page: Page): Promise<void> {
  await expect(pkg(page, 'torch')).toHaveAttribute('data-vulns', '2');
  await expect(pkg(page, 'torch')).toHaveAttribute('data-version', '1.13.0');
  await expect(pkg(page, 'torch').locator('[data-vuln="GHSA-53q9-r3pm-6pq6"]')).toHaveAttribute(
    'data-severity',
    'critical'
  );
  await expect(pkg(page, 'torch').locator('[data-vuln="GHSA-53q9-r3pm-6pq6"]')).toContainText(
    'CVE-2025-32434'
  );
  await expect(pkg(page, 'torch').locator('[data-vuln="PYSEC-2022-43015"]')).toContainText('1.13.1');
  await expect(pkg(page, 'torch').locator('[data-fix]')).toHaveAttribute('data-fix', '2.6.0');
  await expect(pkg(page, 'transformers')).toHaveAttribute('data-vulns', '1');
  await expect(pkg(page, 'transformers').locator('[data-vuln="GHSA-37q5-v5qm-c9v8"]')).toHaveAttribute(
    'data-severity',
    'low'
  );
  await expect(pkg(page, 'nltk')).toHaveAttribute('data-vulns', '1');
  await expect(pkg(page, 'nltk').locator('[data-vuln="PYSEC-2021-356"]')).toContainText(
    'GHSA-2ww3-fxvq-293j'
  );
  await expect(pkg(page, 'nltk').locator('[data-fix]')).toHaveAttribute('data-fix', '3.6.4');
  for (const [name, version] of [
    ['emoji', '2.14.0'],
    ['numpy', '2.2.3'],
    ['attrs', '25.1.0'],
    ['tabulate', '0.7.7']
  ]) {
    await expect(pkg(page, name)).toHaveAttribute('data-version', version);
    await expect(pkg(page, name)).toHaveAttribute('data-vulns', '0');
  }
  // the most serious first
  await expect(page.locator('li[data-package]').first()).toHaveAttribute('data-package', 'torch');
}

describeShared('dependencies with the real lock files and OSV records', () => {
  test('finds the inputs in a dropped folder, lists pins and unpinned entries, makes no request until asked', async ({
    page
  }) => {
    const tmp = tempDir();
    const log: string[] = [];
    try {
      await routeOsv(page, log);
      await openWithModel(page, modelFolder(tmp.path));
      await expect(page.locator('li[data-package]')).toHaveCount(17);
      const newspaper = pkg(page, 'newspaper3k');
      await expect(newspaper).toHaveAttribute('data-status', 'not-audited');
      await expect(newspaper).toHaveAttribute('data-version', '');
      await expect(newspaper).toContainText('not pinned — not audited');
      await expect(newspaper).toContainText('pin it with ==');
      await expect(pkg(page, 'asdf')).toContainText('==0.7.*');
      await expect(pkg(page, 'torch')).toHaveAttribute('data-status', 'unchecked');
      await expect(pkg(page, 'torch')).toHaveAttribute('data-vulns', '');
      await expect(pkg(page, 'torch')).toContainText('tiny-model/requirements-torch.txt:1');

      // pasted text is parsed too
      await page.getByLabel('Or paste a requirement or lock file').fill('onnx==1.12.0\nPillow>=9\n');
      await expect(pkg(page, 'onnx')).toHaveAttribute('data-version', '1.12.0');
      await expect(pkg(page, 'pillow')).toHaveAttribute('data-status', 'not-audited');
      expect(log).toEqual([]);
    } finally {
      tmp.remove();
    }
  });

  test('a folder dropped on the home page is audited on the Dependencies page, with no CSP violation', async ({
    page
  }) => {
    const tmp = tempDir();
    try {
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) =>
          seen.push(`${e.violatedDirective} ${e.blockedURI}`)
        );
      });
      await page.goto('/');
      await dropPaths(page, [modelFolder(tmp.path)]);
      await expect(page.locator('li[data-path]')).toHaveCount(6);
      await page.getByRole('link', { name: 'Dependencies' }).click();
      await expect(page.getByRole('link', { name: 'Dependencies' })).toHaveAttribute('aria-current', 'page');
      await expect(page.locator('[data-input]')).toHaveCount(4);
      await expect(pkg(page, 'torch')).toHaveAttribute('data-status', 'unchecked');
      await page.getByTestId('prepare-downloads').click();
      await expect(page.getByTestId('bom-validation')).toHaveAttribute('data-valid', 'true');
      expect(
        await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)
      ).toEqual([]);
    } finally {
      tmp.remove();
    }
  });

  test('online: "Check with OSV" queries api.osv.dev through the real client, follows pages, caches records', async ({
    page
  }) => {
    const tmp = tempDir();
    const log: string[] = [];
    const bodies: Query[][] = [];
    try {
      await routeOsv(page, log, bodies);
      await openWithModel(page, modelFolder(tmp.path));
      expect(log).toEqual([]);
      await page.getByRole('button', { name: 'Check with OSV' }).click();
      await expectFindings(page);
      await expect(page.getByTestId('announcement')).toContainText('4 vulnerabilities in 3 packages');
      const batches = log.filter((l) => l === 'POST /v1/querybatch');
      expect(batches.length).toBeGreaterThanOrEqual(3); // page 1, torch's page 2, then the upgrade candidates
      expect(bodies[0].map((q) => `${q.package.name}==${q.version}`)).toEqual(
        expect.arrayContaining(['torch==1.13.0', 'emoji==2.14.0', 'yolo==1.0', 'numpy==2.2.3'])
      );
      expect(bodies[0]).toHaveLength(13);
      expect(bodies[1]).toEqual([
        { package: { name: 'torch', ecosystem: 'PyPI' }, version: '1.13.0', page_token: 'page-1' }
      ]);
      expect(bodies.flat().map((q) => `${q.package.name}==${q.version}`)).toEqual(
        expect.arrayContaining(['torch==2.6.0', 'transformers==4.38.0', 'nltk==3.6.4'])
      );
      expect(log.filter((l) => l.startsWith('GET')).sort()).toEqual([
        'GET /v1/vulns/GHSA-37q5-v5qm-c9v8',
        'GET /v1/vulns/GHSA-53q9-r3pm-6pq6',
        'GET /v1/vulns/PYSEC-2021-356',
        'GET /v1/vulns/PYSEC-2022-43015'
      ]);

      // A second check re-runs querybatch but takes the unchanged records from IndexedDB.
      log.length = 0;
      await page.getByRole('button', { name: 'Check with OSV' }).click();
      await expect(page.getByRole('button', { name: 'Check with OSV' })).toBeEnabled();
      await expectFindings(page);
      expect(log.filter((l) => l.startsWith('POST')).length).toBeGreaterThan(0);
      expect(log.filter((l) => l.startsWith('GET'))).toEqual([]);

      // pip-audit JSON download
      await page.getByTestId('prepare-downloads').click();
      await expect(page.getByTestId('bom-validation')).toHaveAttribute('data-valid', 'true');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-download="pip-audit"]').click()
      ]);
      const pipAudit = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(pipAudit.dependencies.find((d: { name: string }) => d.name === 'torch')).toMatchObject({
        version: '1.13.0',
        vulns: [
          { id: 'GHSA-53q9-r3pm-6pq6', fix_versions: ['2.6.0'], aliases: ['CVE-2025-32434'] },
          { id: 'PYSEC-2022-43015', fix_versions: ['1.13.1'] }
        ]
      });
      expect(
        pipAudit.dependencies.find((d: { name: string }) => d.name === 'newspaper3k').skip_reason
      ).toMatch(/not pinned/);
      expect(pipAudit.fixes).toContainEqual({ name: 'torch', old_version: '1.13.0', new_version: '2.6.0' });
    } finally {
      tmp.remove();
    }
  });

  test('online: an unreachable OSV is reported, not shown as clean', async ({ page }) => {
    const tmp = tempDir();
    try {
      await page.route('https://api.osv.dev/**', (route) => route.abort('internetdisconnected'));
      await openWithModel(page, modelFolder(tmp.path));
      await page.getByRole('button', { name: 'Check with OSV' }).click();
      await expect(page.getByRole('alert')).toContainText('Could not check with OSV');
      await expect(pkg(page, 'torch')).toHaveAttribute('data-vulns', '');
    } finally {
      tmp.remove();
    }
  });

  function allZip(): Uint8Array {
    const records = loadOsvRecords();
    return zipSync(Object.fromEntries(records.map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))])));
  }

  test('offline: a dropped all.zip is indexed, dated and counted, and audits with no network; the BOM validates', async ({
    page,
    context
  }) => {
    const tmp = tempDir();
    const requests: string[] = [];
    try {
      page.on('request', (r) => {
        if (!r.url().startsWith('http://127.0.0.1')) requests.push(r.url());
      });
      const zipPath = join(tmp.path, 'all.zip');
      writeFileSync(zipPath, allZip());
      const folder = modelFolder(join(tmp.path, 'drop'));
      await openWithModel(page, folder);
      await waitHashed(page);
      await expect(page.getByTestId('check-offline')).toBeDisabled();

      await dropPaths(page, [zipPath], page.getByTestId('database-drop'));
      const records = String(loadOsvRecords().length);
      await expect(page.getByTestId('database-records')).toHaveText(records);
      await expect(page.getByTestId('database-date')).toHaveText('2025-08-29 19:45:46 UTC');

      await context.setOffline(true);
      await page.getByTestId('check-offline').click();
      await expectFindings(page);
      await expect(page.getByTestId('packages-summary')).toContainText('against the offline database');
      expect(requests).toEqual([]);

      // The index survives a reload (IndexedDB); the dropped files do not, so drop the folder again.
      await context.setOffline(false);
      await page.reload();
      await expect(page.getByTestId('database-records')).toHaveText(records);

      await dropPaths(page, [folder]);
      await expect(page.locator('[data-input]')).toHaveCount(4);
      await waitHashed(page);
      await context.setOffline(true);
      await page.getByTestId('check-offline').click();
      await expect(pkg(page, 'torch')).toHaveAttribute('data-vulns', '2');
      await page.getByTestId('prepare-downloads').click();
      await expect(page.getByTestId('bom-validation')).toHaveAttribute('data-valid', 'true');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-download="cyclonedx"]').click()
      ]);
      const bom = JSON.parse(readFileSync(await download.path(), 'utf8'));

      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'cyclonedx-bom-1.6.schema.json'), 'utf8'));
      const validator = new Validator(schema as Schema, '7', false);
      validator.addSchema(JSON.parse(readFileSync(join(CDX_RES, 'spdx.SNAPSHOT.schema.json'), 'utf8')));
      validator.addSchema(JSON.parse(readFileSync(join(CDX_RES, 'jsf-0.82.SNAPSHOT.schema.json'), 'utf8')));
      expect(validator.validate(bom).errors).toEqual([]);

      expect(bom.specVersion).toBe('1.6');
      const model = bom.metadata.component;
      expect(model).toMatchObject({ type: 'machine-learning-model', name: 'tiny-model' });
      const files = Object.fromEntries(
        model.components.map((c: { name: string; hashes: { content: string }[] }) => [
          c.name,
          c.hashes[0].content
        ])
      );
      expect(files).toEqual({
        'tiny-model/model.safetensors': digestsOf(WEIGHTS).sha256,
        'tiny-model/config.json': digestsOf(strToU8('{"model_type": "bert"}')).sha256
      });
      const refs = bom.components.map((c: { 'bom-ref': string }) => c['bom-ref']);
      expect(refs).toContain('pkg:pypi/torch@1.13.0');
      expect(refs).toContain('pkg:pypi/emoji@2.14.0');
      const torchVuln = bom.vulnerabilities.find((v: { id: string }) => v.id === 'GHSA-53q9-r3pm-6pq6');
      expect(torchVuln.affects).toEqual([
        { ref: 'pkg:pypi/torch@1.13.0', versions: [{ version: '1.13.0', status: 'affected' }] }
      ]);
      expect(requests).toEqual([]);
    } finally {
      tmp.remove();
    }
  });

  test('offline: a large all.zip (20,000 records) is indexed in the worker and answers without network', async ({
    page,
    context
  }) => {
    test.setTimeout(180_000);
    const tmp = tempDir();
    try {
      const base = loadOsvRecords();
      const entries: Record<string, Uint8Array> = {};
      for (let i = 0; i < 20_000; i++) {
        const record = structuredClone(base[i % base.length]);
        record.id = `COPY-${i}`;
        for (const a of record.affected ?? [])
          if (a.package) a.package.name = `${a.package.name}-copy-${i % 500}`;
        entries[`${record.id}.json`] = strToU8(JSON.stringify(record));
      }
      const zipPath = join(tmp.path, 'all.zip');
      writeFileSync(zipPath, zipSync(entries, { level: 6 }));
      await page.goto('/dependencies');
      const started = Date.now();
      await dropPaths(page, [zipPath], page.getByTestId('database-drop'));
      await expect(page.getByTestId('database-records')).toHaveText('20,000', { timeout: 150_000 });
      test.info().annotations.push({ type: 'index-ms', description: String(Date.now() - started) });
      await expect(page.getByTestId('database-info')).not.toContainText('Incomplete');
      await context.setOffline(true);
      await page.getByLabel('Or paste a requirement or lock file').fill('torch-copy-5==1.13.0\n');
      await expect(pkg(page, 'torch-copy-5')).toHaveAttribute('data-status', 'unchecked');
      await page.getByTestId('check-offline').click();
      await expect(pkg(page, 'torch-copy-5')).toHaveAttribute('data-vulns', '2');
    } finally {
      tmp.remove();
    }
  });

  test('offline: a file that is not an OSV database is refused with a reason', async ({ page }) => {
    const tmp = tempDir();
    try {
      const bad = join(tmp.path, 'all.zip');
      writeFileSync(bad, 'this is not a zip file');
      await page.goto('/dependencies');
      await dropPaths(page, [bad], page.getByTestId('database-drop'));
      await expect(page.getByRole('alert')).toContainText('not a usable OSV database');
      await expect(page.getByTestId('database-info')).toHaveCount(0);
    } finally {
      tmp.remove();
    }
  });
});
