import { test } from '@playwright/test';
test('overflow', async ({ page }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  for (const url of ['/', '/provenance']) {
    await page.goto(url);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 381)
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
    );
    console.log(url, document, wide);
  }
});
