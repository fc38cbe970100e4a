// "Scan on the Hub" in the built site: the page's real requests to huggingface.co and the CDN host it is
// redirected to (both allowed by the CSP) are answered by the local Hub emulator through page.route.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHubEmulator, type HubEmulator } from '../hub-emulator/server';
import { SAMPLE_COMMIT, SAMPLE_REPO_ID, sampleRepo } from '../hub-emulator/sample-repo';
import { safetensorsHead, sparseFile } from '../hub-emulator/sparse';
import { tempDir } from './helpers';

const TOKEN = 'hf_e2eHubScanTokenNeverToTheCdn0123';
let hub: HubEmulator;

test.beforeAll(async () => {
  hub = await startHubEmulator({
    repos: [{ ...sampleRepo(), token: TOKEN }],
    cdnLocationOrigin: 'https://us.aws.cdn.hf.co'
  });
});
test.afterAll(() => hub.close());

/** Answers the page's requests to huggingface.co from the emulator (method, headers and answer passed through). */
async function routeHub(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.route(
    (url) => url.origin === 'https://huggingface.co',
    async (route) => {
      const request = route.request();
      seen.push(
        `${request.method()} ${request.url()} auth=${request.headers()['authorization'] ? 'yes' : 'no'}`
      );
      const res = await fetch(request.url().replace('https://huggingface.co', hub.hub), {
        method: request.method(),
        headers: request.headers(),
        redirect: 'manual'
      });
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
    }
  );
  return seen;
}

// Playwright does not intercept the hop a browser makes after a fulfilled redirect, and the CDN host is https,
// so here the file host is unreachable: the listing, the rows and the Hub's own status come through, and every
// file that needed its bytes is reported incomplete, never clean. The bytes path itself (302 to a second origin,
// Range, retries) runs against the same emulator over real HTTP in tests/unit/remote-*.test.ts.
test('a pasted Hub URL lists the commit into rows; files whose host is unreachable are never clean', async ({
  page
}) => {
  const seen = await routeHub(page);
  await page.goto('/');
  await page.getByText('Or paste a Hugging Face Hub URL').click();
  const panel = page.getByTestId('hub-scan');
  await panel.getByLabel('Repo to scan').fill(`https://huggingface.co/${SAMPLE_REPO_ID}/tree/main`);
  await panel.getByLabel(/Token for the scan/).fill(TOKEN);
  await panel.getByLabel(/Download at most/).fill('1');
  expect(seen).toHaveLength(0);
  await panel.getByRole('button', { name: 'Scan on the Hub' }).click();

  await expect(page.getByTestId('hub-scan-summary')).toHaveAttribute('data-commit', SAMPLE_COMMIT);
  const rows = page.locator(`li[data-path^="hf://${SAMPLE_REPO_ID}@${SAMPLE_COMMIT.slice(0, 7)}/"]`);
  await expect(rows).toHaveCount(6);
  await expect(rows.locator('[data-verdict="clean"]')).toHaveCount(0);
  const evil = page.locator(`li[data-path$="/legacy/evil.pt"]`);
  await expect(evil).toHaveAttribute('data-verdict', 'medium');
  await expect(evil.getByTestId('hub-security-status')).toHaveText('unsafe');
  for (const row of await rows.all()) await expect(row).not.toHaveAttribute('data-verdict', 'clean');
  // The token went with every Hub request; the API listing and each file's resolve/ were asked for.
  expect(seen.every((s) => s.endsWith('auth=yes'))).toBe(true);
  expect(seen.some((s) => s.includes(`/api/models/${SAMPLE_REPO_ID}/tree/${SAMPLE_COMMIT}`))).toBe(true);
  expect(seen.some((s) => s.includes(`/${SAMPLE_REPO_ID}/resolve/${SAMPLE_COMMIT}/legacy/evil.pt`))).toBe(
    true
  );
  await shoot(page, 'hub-scan-unreachable');
});

test('Scan on the Hub from the Provenance page reports a missing repo without adding rows', async ({
  page
}) => {
  await routeHub(page);
  await page.goto('/provenance');
  const panel = page.getByTestId('hub-scan');
  await panel.getByLabel('Repo to scan').fill('acme/does-not-exist');
  await panel.getByRole('button', { name: 'Scan on the Hub' }).click();
  await expect(panel.getByRole('alert')).toContainText(/does not exist|not found|private/);
  await expect(page.locator('li[data-path^="hf://"]')).toHaveCount(0);
  await shoot(page, 'hub-scan-provenance-error');
});

/**
 * Widths the panel is checked and photographed at; at 390 px nothing may scroll sideways. The viewport is as
 * tall as the page, so rows (content-visibility: auto) are painted as someone scrolling would see them.
 */
async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    if (width === 390)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width, height: Math.min(height, 8000) });
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// The bytes path in the browser. Playwright cannot intercept the hop after a cross-origin redirect, so the
// route answers each huggingface.co request with what the emulator ends up serving for it (route.fetch follows
// its 302 to the emulator's file host): the page sees the Hub answer every Range itself, as it does for files
// on the resolve cache. Every byte the emulator sends is counted on its side and on the route's.
test('a remote scan fetches only byte ranges of the files, only from huggingface.co, each byte once', async ({
  page,
  baseURL
}) => {
  const tmp = tempDir('safeload-e2e-hub-');
  const GIB = 1024 ** 3;
  const head = safetensorsHead(GIB / 2);
  const repo = sampleRepo();
  repo.files['big/model.safetensors'] = await sparseFile(
    join(tmp.path, 'model.safetensors'),
    head,
    head.length + GIB / 2
  );
  const local = await startHubEmulator({ repos: [repo] });
  try {
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      const origin = new URL(r.url()).origin;
      if (origin !== new URL(baseURL!).origin && origin !== 'https://huggingface.co') elsewhere.push(r.url());
    });
    const ranges = new Map<string, [number, number][]>();
    const other: string[] = [];
    let routed = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.origin === 'https://huggingface.co',
      async (route) => {
        const request = route.request();
        const url = new URL(request.url());
        const file = new RegExp(`^/${SAMPLE_REPO_ID}/resolve/${SAMPLE_COMMIT}/(.+)$`).exec(url.pathname);
        if (file) {
          await held; // the scan shows as running until the screenshots are taken
          const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers()['range'] ?? '');
          if (!range) other.push(`${request.method()} ${url.pathname} without a Range`);
          else {
            const path = decodeURIComponent(file[1]);
            ranges.set(path, [...(ranges.get(path) ?? []), [Number(range[1]), Number(range[2]) + 1]]);
          }
        } else if (!url.pathname.startsWith(`/api/models/${SAMPLE_REPO_ID}/`)) other.push(url.pathname);
        const response = await route.fetch({
          url: request.url().replace('https://huggingface.co', local.hub)
        });
        const body = await response.body();
        if (file) routed += body.length;
        await route.fulfill({ response, body });
      }
    );
    await page.goto('/');
    await page.getByText('Or paste a Hugging Face Hub URL').click();
    const panel = page.getByTestId('hub-scan');
    await shoot(page, 'hub-scan-empty');
    await panel.getByLabel('Repo to scan').fill(`hf://${SAMPLE_REPO_ID}@main`);
    await panel.getByLabel(/Download at most/).fill('16');
    await panel.getByRole('button', { name: 'Scan on the Hub' }).click();
    const rows = page.locator(`li[data-path^="hf://${SAMPLE_REPO_ID}@${SAMPLE_COMMIT.slice(0, 7)}/"]`);
    await expect(rows).toHaveCount(7);
    await expect(panel.getByRole('status').first()).toContainText('Scanning');
    await shoot(page, 'hub-scan-running');
    release();
    await expect(page.getByTestId('hub-scan-summary')).toHaveAttribute('data-commit', SAMPLE_COMMIT);
    await shoot(page, 'hub-scan-done');

    expect(elsewhere).toEqual([]);
    expect(other).toEqual([]);
    // Every byte the emulator served went to the page through the route, and the rows account for all of them.
    expect(routed).toBe(local.bytesServed());
    let shown = 0;
    for (const [path, file] of Object.entries(repo.files)) {
      const got = ranges.get(path) ?? [];
      const sorted = [...got].sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i][0], path).toBeGreaterThanOrEqual(sorted[i - 1][1]);
      const bytes = got.reduce((n, [a, b]) => n + b - a, 0);
      const row = page.locator(`li[data-path$="@${SAMPLE_COMMIT.slice(0, 7)}/${path}"]`);
      await expect(row.getByTestId('remote-origin')).toHaveAttribute('data-bytes-fetched', String(bytes));
      shown += bytes;
      const size = 'size' in file.content ? file.content.size : file.content.length;
      if (path.endsWith('.safetensors')) expect(bytes, path).toBeLessThan(size);
    }
    expect(shown).toBe(routed);
    // Header-only: the 512 MiB file cost its format probes, under 0.1 % of its size.
    const big = (ranges.get('big/model.safetensors') ?? []).reduce((n, [a, b]) => n + b - a, 0);
    expect(big).toBeGreaterThan(0);
    expect(big / (GIB / 2)).toBeLessThan(0.001);
    await expect(page.locator('li[data-path$="/big/model.safetensors"]')).toHaveAttribute(
      'data-verdict',
      'clean'
    );
    // The payload in the PyTorch zip was found from its ranges; the raw pickle was read whole under 16 MiB.
    await expect(page.locator('li[data-path$="/legacy/evil.pt"]')).toHaveAttribute(
      'data-verdict',
      'critical'
    );
    const pickle = page.locator('li[data-path$="/optimizer.pkl"]');
    await expect(pickle.getByTestId('remote-origin')).toContainText('digests computed here');
  } finally {
    await local.close();
    tmp.remove();
  }
});

test('Cancel all stops a Hub scan: its rows are cancelled, none left reading, and the panel can start again', async ({
  page
}) => {
  // The listing is answered; file reads are held unanswered, so the scan is still running when cancelled.
  await page.route(
    (url) => url.origin === 'https://huggingface.co',
    async (route) => {
      if (route.request().url().includes('/resolve/')) return; // never answered
      const res = await route.fetch({
        url: route.request().url().replace('https://huggingface.co', hub.hub)
      });
      await route.fulfill({ response: res });
    }
  );
  await page.goto('/');
  await page.getByText('Or paste a Hugging Face Hub URL').click();
  const panel = page.getByTestId('hub-scan');
  await panel.getByLabel('Repo to scan').fill(`${SAMPLE_REPO_ID}`);
  await panel.getByLabel(/Token for the scan/).fill(TOKEN);
  await panel.getByRole('button', { name: 'Scan on the Hub' }).click();
  const rows = page.locator(`li[data-path^="hf://${SAMPLE_REPO_ID}@"]`);
  await expect(rows).toHaveCount(6);
  await expect(page.locator('li[data-state="hashing"]').first()).toContainText('Reading in place');
  await expect(rows.getByRole('button', { name: /^Cancel/ })).toHaveCount(0); // only the scan can stop them
  await page.getByRole('button', { name: 'Cancel all' }).click();
  await expect(page.locator('li[data-path^="hf://"][data-state="cancelled"]')).toHaveCount(6);
  await expect(panel.getByRole('button', { name: 'Scan on the Hub' })).toBeEnabled();
});
