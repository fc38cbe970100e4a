import { readFileSync } from 'node:fs';
import { expect, test, type Request } from '@playwright/test';
import {
  digestsOf,
  dropPaths,
  MALICIOUS_PICKLE,
  rows,
  tempDir,
  waitSettled,
  writeLargeFile,
  writeTree
} from './helpers';
import { join } from 'node:path';

test('no request leaves the page while files are hashed and scanned', async ({ page, context, baseURL }) => {
  const dir = tempDir();
  try {
    const files = {
      'model/weights.bin': new Uint8Array(3 * 1024 * 1024).fill(7),
      'model/evil.pkl': MALICIOUS_PICKLE
    };
    writeTree(dir.path, files);
    const large = writeLargeFile(join(dir.path, 'model', 'large.bin'), 64);

    await page.goto('/');
    await page.waitForLoadState('networkidle');
    const requests: Request[] = [];
    const record = (r: Request) => requests.push(r);
    page.on('request', record);
    context.on('request', record); // includes requests made by the service worker and the web workers

    await dropPaths(page, [join(dir.path, 'model')]);
    await waitSettled(page, 3);
    const seen = await rows(page);
    expect(seen.get('model/large.bin')?.sha256).toBe(large.sha256);
    expect(seen.get('model/weights.bin')?.sha256).toBe(digestsOf(files['model/weights.bin']).sha256);

    const origin = new URL(baseURL!).origin;
    const offending = [...new Set(requests)]
      .filter(
        (r) =>
          r.method() !== 'GET' ||
          new URL(r.url()).origin !== origin ||
          !/^\/(_app\/|favicon)/.test(new URL(r.url()).pathname)
      )
      .map((r) => `${r.method()} ${r.url()}`);
    expect(offending, 'requests other than GETs of the app’s own assets').toEqual([]);
    expect(requests.filter((r) => r.postData() !== null)).toEqual([]);
    // The recorder works: the lazily started hashing workers were fetched (from the service worker's cache).
    expect(requests.some((r) => r.url().includes('/_app/immutable/workers/'))).toBe(true);
  } finally {
    dir.remove();
  }
});

test('the built pages carry a CSP without unsafe-eval and a hash run causes no violation', async ({
  page
}) => {
  for (const html of ['build/index.html', 'build/about.html']) {
    const text = readFileSync(html, 'utf8');
    const csp = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(text)?.[1];
    expect(csp, `${html} has a CSP meta tag`).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/'unsafe-eval'/);
  }

  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`)
    );
  });
  const dir = tempDir();
  try {
    const bytes = new Uint8Array(2 * 1024 * 1024).map((_, i) => i * 31);
    const [path] = writeTree(dir.path, { 'csp-check.bin': bytes });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(path);
    await waitSettled(page, 1);
    expect((await rows(page)).get('csp-check.bin')?.sha256).toBe(digestsOf(bytes).sha256);
    await page.getByRole('link', { name: 'About' }).click();
    await expect(page.getByRole('heading', { name: 'About Safeload' })).toBeVisible();
    expect(
      await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)
    ).toEqual([]);
  } finally {
    dir.remove();
  }
});
