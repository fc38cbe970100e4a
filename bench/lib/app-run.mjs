import { statSync } from 'node:fs';
import { memoryMonitor } from './browser.mjs';

/** Collects main-thread long tasks from page start (PerformanceObserver 'longtask'). */
export const LONGTASK_INIT = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

/**
 * Picks `paths` through the app's own <input type=file> and waits until every row has left queued/hashing.
 * Returns the throughput, the renderer's memory growth and the longest main-thread task while it ran.
 */
export async function hashInApp(page, cdp, baseUrl, paths, { timeoutMs = 600_000 } = {}) {
  await page.goto(baseUrl);
  await page.waitForSelector('#file-input', { state: 'attached' });
  const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
  const mem = await memoryMonitor(cdp);
  const t0 = await page.evaluate(() => {
    window.__longTasks.length = 0;
    return performance.now();
  });
  await page.setInputFiles('#file-input', paths);
  const t1 = await page.waitForFunction(
    (n) => {
      // The list shows the first 500 rows; the live announcement covers all of them.
      const text = document.querySelector('[data-testid="announcement"]')?.textContent ?? '';
      const m = /Finished: (\d+) done/.exec(text);
      if (!m && !/Finished/.test(text)) return false;
      if (m && Number(m[1]) < n && !/could not|cancel/.test(text)) return false;
      return performance.now();
    },
    paths.length,
    { timeout: timeoutMs, polling: 20 }
  );
  const end = await t1.jsonValue();
  const memory = mem.stop();
  const showAll = page.getByRole('button', { name: 'Show all' });
  if (await showAll.count()) await showAll.click();
  await page.waitForFunction((n) => document.querySelectorAll('li[data-path]').length >= n, paths.length);
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('li[data-path]')].map((r) => ({
      path: r.dataset.path,
      state: r.dataset.state,
      sha256: r.dataset.sha256,
      gitSha1: r.dataset.gitSha1
    }))
  );
  const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks.map((t) => t.duration)));
  const ms = end - t0;
  return {
    MBps: Math.round(bytes / 1e6 / (ms / 1000)),
    seconds: +(ms / 1000).toFixed(2),
    filesPerSecond: Math.round(paths.length / (ms / 1000)),
    longestMainThreadTaskMs: Math.round(longest),
    memory,
    rows
  };
}
