import { statSync } from 'node:fs';
import { memoryMonitor } from './browser.mjs';

/**
 * Collects main-thread long tasks (PerformanceObserver 'longtask': every task over 50 ms) and long animation
 * frames ('long-animation-frame': frames over 50 ms, with the script that ran in them) from page start.
 */
export const LONGTASK_INIT = () => {
  window.__longTasks = [];
  window.__longFrames = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  if (PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame'))
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.__longFrames.push({
          duration: e.duration,
          blocking: e.blockingDuration,
          scripts: e.scripts.slice(0, 3).map((x) => `${x.invoker} ${Math.round(x.duration)} ms`)
        });
    }).observe({ type: 'long-animation-frame', buffered: true });
};

/** The longest long task and long animation frame seen since the last reset. */
async function mainThreadFigures(page) {
  return page.evaluate(() => {
    const longest = (xs, key) => xs.reduce((m, x) => (x[key] > m[key] ? x : m), { [key]: 0 });
    const frame = longest(window.__longFrames, 'duration');
    return {
      longestMainThreadTaskMs: Math.round(longest(window.__longTasks, 'duration').duration),
      longTasksOver50ms: window.__longTasks.length,
      longestAnimationFrameMs: Math.round(frame.duration),
      longestAnimationFrameBlockingMs: Math.round(frame.blocking ?? 0),
      longestAnimationFrameScripts: frame.scripts ?? []
    };
  });
}

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
    window.__longFrames.length = 0;
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
  // Before "Show all" below, which is the bench reading rows, not the drop being handled.
  const mainThread = await mainThreadFigures(page);
  const showAll = page.getByRole('button', { name: 'Show all' });
  if (await showAll.count()) await showAll.click();
  await page.waitForFunction((n) => document.querySelectorAll('li[data-path]').length >= n, paths.length, {
    timeout: timeoutMs
  });
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('li[data-path]')].map((r) => ({
      path: r.dataset.path,
      state: r.dataset.state,
      sha256: r.dataset.sha256,
      gitSha1: r.dataset.gitSha1
    }))
  );
  const ms = end - t0;
  return {
    MBps: Math.round(bytes / 1e6 / (ms / 1000)),
    seconds: +(ms / 1000).toFixed(2),
    filesPerSecond: Math.round(paths.length / (ms / 1000)),
    ...mainThread,
    memory,
    rows
  };
}

/**
 * The same file hashed online and then offline (network off, the app served by its service worker) in one
 * browser context, `repeat` times alternately, so both see the same machine load.
 */
export async function hashOnlineAndOffline(browser, cdp, baseUrl, path, repeat) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(LONGTASK_INIT);
    await page.goto(baseUrl);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise((r) =>
          navigator.serviceWorker.addEventListener('controllerchange', r, { once: true })
        );
    });
    const runs = { online: [], offline: [] };
    for (let i = 0; i < repeat; i++) {
      for (const mode of ['online', 'offline']) {
        await context.setOffline(mode === 'offline');
        const { rows, ...r } = await hashInApp(page, cdp, baseUrl, [path]);
        runs[mode].push({ MBps: r.MBps, sha256: rows[0]?.sha256 });
      }
    }
    return runs;
  } finally {
    await context.setOffline(false);
    await context.close();
  }
}
