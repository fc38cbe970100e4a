// "Scan on the Hub" in the built site: the page's real requests to huggingface.co and the CDN host it is
// redirected to (both allowed by the CSP) are answered by the local Hub emulator through page.route.
import { expect, test, type Page } from '@playwright/test';
import { startHubEmulator, type HubEmulator } from '../hub-emulator/server';
import { SAMPLE_COMMIT, SAMPLE_REPO_ID, sampleRepo } from '../hub-emulator/sample-repo';

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
  await panel.getByLabel('Repo id or Hub URL').fill(`https://huggingface.co/${SAMPLE_REPO_ID}/tree/main`);
  await panel.getByLabel(/Access token/).fill(TOKEN);
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

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: test.info().outputPath(`hub-scan-${width}.png`), fullPage: true });
  }
});

test('Scan on the Hub from the Provenance page reports a missing repo without adding rows', async ({
  page
}) => {
  await routeHub(page);
  await page.goto('/provenance');
  const panel = page.getByTestId('hub-scan');
  await panel.getByLabel('Repo id or Hub URL').fill('acme/does-not-exist');
  await panel.getByRole('button', { name: 'Scan on the Hub' }).click();
  await expect(panel.getByRole('alert')).toContainText(/does not exist|not found|private/);
  await expect(page.locator('li[data-path^="hf://"]')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('hub-scan-provenance-1280.png'), fullPage: true });
});
