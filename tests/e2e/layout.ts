import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { axeViolations } from './axe';

/** How wide the document is against the viewport, and the first element that sticks out (to fix it). */
export async function overflow(
  page: Page
): Promise<{ scrollWidth: number; innerWidth: number; widest: string }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    let widest = '';
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > innerWidth + 1 && r.width > 0) {
        widest = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(r.right)}`;
        break;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, widest };
  });
}

/** Nothing wider than the viewport: `scrollWidth <= innerWidth`. */
export async function expectNoOverflow(page: Page, what = ''): Promise<void> {
  const o = await overflow(page);
  expect(o.scrollWidth, `${what} ${o.widest}`.trim()).toBeLessThanOrEqual(o.innerWidth);
}

const SHOTS = process.env.SAFELOAD_SHOTS;

/**
 * Checks a page state at phone (390 px) and desktop (1280 px) widths: nothing wider than the phone and no
 * serious axe-core violation at either; with $SAFELOAD_SHOTS set, a full-page screenshot of each width goes
 * there as NAME-WIDTH.png (to look at them).
 */
export async function checkState(page: Page, name: string): Promise<void> {
  // Away from the last button clicked: its hover state is not the state under test.
  await page.mouse.move(0, 0);
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    if (width === 390) await expectNoOverflow(page, name);
    expect(await axeViolations(page), `${name} at ${width}px`).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
