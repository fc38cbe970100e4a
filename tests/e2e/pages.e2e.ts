import { expect, test, type Page } from '@playwright/test';
import { axeViolations } from './axe';
import { overflow } from './layout';
import { row, waitSettled } from './helpers';

// Every page the navigation reaches, in every state this suite can put it in: nothing wider than the phone
// (390 px) and no serious or critical axe-core violation, at phone and desktop widths. Pages are found by
// following the navigation, so pages added later are covered without changing this file.

const WIDTHS = [390, 1280];

/** Same-origin links of every navigation landmark on the page. */
async function navLinks(page: Page): Promise<string[]> {
  return page.locator('nav a[href]').evaluateAll((links) =>
    links
      .map((a) => new URL((a as HTMLAnchorElement).href))
      .filter((u) => u.origin === location.origin)
      .map((u) => u.pathname)
  );
}

/** Visits every page reachable through the navigation (client-side, so dropped files stay) and checks it. */
async function checkEveryPage(page: Page, state: string, prepare?: (path: string) => Promise<void>) {
  const seen = new Set<string>();
  const queue = ['/'];
  const problems: string[] = [];
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const link = page.locator(`nav a[href="${path}"]`).first();
    if (path === new URL(page.url()).pathname) {
      // already there
    } else if (await link.count()) await link.click();
    else await page.goto(path);
    await expect(page).toHaveURL((u) => u.pathname === path);
    await page.waitForLoadState('networkidle');
    await prepare?.(path);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const o = await overflow(page);
      if (width === 390 && o.scrollWidth > o.innerWidth) {
        problems.push(`${state} ${path} at ${width}px: ${o.scrollWidth} > ${o.innerWidth} (${o.widest})`);
      }
      for (const v of await axeViolations(page)) problems.push(`${state} ${path} at ${width}px: ${v}`);
    }
    for (const next of await navLinks(page)) if (!seen.has(next)) queue.push(next);
  }
  expect(problems, problems.join('\n')).toEqual([]);
  expect(seen.size).toBeGreaterThanOrEqual(6);
}

/** Opens everything a Check files row can show: details, hashes, inspected tables, the hex view. */
async function expandEverything(page: Page) {
  for (;;) {
    const more = page.getByRole('button', { name: /^Details/ });
    if ((await more.count()) === 0) break;
    await more.first().click();
  }
  await page
    .locator('details:not([open]) > summary')
    .evaluateAll((s) => s.forEach((e) => (e as HTMLElement).click()));
  const bytes = page.getByRole('button', { name: /^Show bytes/ });
  while ((await bytes.count()) > 0) await bytes.first().click();
}

test('every page, empty: no horizontal overflow at 390 px and no serious axe violations', async ({
  page
}) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await checkEveryPage(page, 'empty');
});

test('every page with files dropped, Check files fully expanded: no overflow, no serious axe violations', async ({
  page
}) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await page.getByRole('button', { name: /sample files/ }).click();
  await waitSettled(page, 5);
  await expect(row(page, 'safeload-samples/evil-checkpoint.pt')).toHaveAttribute('data-verdict', 'critical');
  await checkEveryPage(page, 'with files', async (path) => {
    if (path === '/') await expandEverything(page);
  });
});

test('Check files filtered to nothing, and restored after a reload', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('button', { name: /sample files/ }).click();
  await waitSettled(page, 5);
  await page.getByLabel('Name contains').fill('no such file');
  await expect(page.locator('li[data-path]')).toHaveCount(0);
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    problems.push(...(await axeViolations(page)));
    const o = await overflow(page);
    if (o.scrollWidth > o.innerWidth) problems.push(`filtered at ${width}: ${o.widest}`);
  }
  await page.reload();
  await waitSettled(page, 5);
  await expandEverything(page);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    problems.push(...(await axeViolations(page)));
    const o = await overflow(page);
    if (o.scrollWidth > o.innerWidth) problems.push(`restored at ${width}: ${o.widest}`);
  }
  expect(problems, problems.join('\n')).toEqual([]);
});
