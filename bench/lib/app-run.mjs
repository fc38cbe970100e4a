import { readFileSync, statSync } from 'node:fs';
import { chromiumProcesses, memoryMonitor } from './browser.mjs';

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
async function mainThreadFigures(page, t0 = 0) {
  return page.evaluate((t0) => {
    const longest = (xs, key) => xs.reduce((m, x) => (x[key] > m[key] ? x : m), { [key]: 0 });
    const frame = longest(window.__longFrames, 'duration');
    const task = longest(window.__longTasks, 'duration');
    return {
      longestMainThreadTaskMs: Math.round(task.duration),
      /** When it started, from the pick or drop (ms): to tell the drop from the work after the last file. */
      longestMainThreadTaskAtMs: Math.round((task.start ?? t0) - t0),
      longTasksOver50ms: window.__longTasks.length,
      longestAnimationFrameMs: Math.round(frame.duration),
      longestAnimationFrameBlockingMs: Math.round(frame.blocking ?? 0),
      longestAnimationFrameScripts: frame.scripts ?? []
    };
  }, t0);
}

/**
 * Every file's result from the app's own "Export JSON" (the list is virtualised: long lists render only the
 * rows near the viewport). A file that could not be read or was cancelled is listed with that finding.
 */
async function exportedRows(page, timeoutMs) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: timeoutMs }),
    page.getByRole('button', { name: 'Export JSON' }).click()
  ]);
  const report = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const unread = new Set(['scan.unreadable', 'scan.cancelled']);
  return report.files.map((f) => ({
    path: f.path,
    state: f.findings.some((x) => unread.has(x.ruleId)) ? 'error' : 'done',
    sha256: f.sha256,
    gitSha1: f.gitSha1
  }));
}

/** A real drag-and-drop of a folder from disk onto the drop zone, through Chromium's input pipeline. */
async function dropFolder(page, dir) {
  const zone = page.getByTestId('drop-zone');
  await zone.scrollIntoViewIfNeeded();
  const box = await zone.boundingBox();
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const session = await page.context().newCDPSession(page);
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'])
    await session.send('Input.dispatchDragEvent', { type, ...at, data });
  await session.detach();
}

/**
 * Picks `paths` through the app's own <input type=file> (or drops their folder `dropDir`, as a user drops a
 * model folder) and waits until every file is done. Returns the throughput, the renderer's memory growth and
 * the longest main-thread task from the pick or drop until 1.5 s after the last file.
 */
export async function hashInApp(page, cdp, baseUrl, paths, { timeoutMs = 600_000, dropDir } = {}) {
  await page.goto(baseUrl);
  await page.waitForSelector('#file-input', { state: 'attached' });
  const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
  const mem = await memoryMonitor(cdp);
  const cpuBefore = await chromiumProcesses(cdp);
  const t0 = await page.evaluate(() => {
    window.__longTasks.length = 0;
    window.__longFrames.length = 0;
    return performance.now();
  });
  if (dropDir) await dropFolder(page, dropDir);
  else await page.setInputFiles('#file-input', paths);
  const t1 = await page.waitForFunction(
    (n) => {
      // The list is virtualised; the live announcement covers every file.
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
  const cpu = cpuByType(cpuBefore, await chromiumProcesses(cdp), (end - t0) / 1000);
  // The work that follows the last file (folder checks, keeping the results in IndexedDB 0.4 s later) runs
  // on the main thread too: it belongs to the drop.
  await page.waitForTimeout(1500);
  const memory = mem.stop();
  const mainThread = { ...(await mainThreadFigures(page, t0)), finishedAtMs: Math.round(end - t0) };
  const rows = await exportedRows(page, timeoutMs);
  const ms = end - t0;
  return {
    MBps: Math.round(bytes / 1e6 / (ms / 1000)),
    seconds: +(ms / 1000).toFixed(2),
    filesPerSecond: Math.round(paths.length / (ms / 1000)),
    ...mainThread,
    cpu,
    memory,
    rows
  };
}

/**
 * CPU seconds Chromium's processes used between two samples, by process type, and how many of the machine's
 * cores that kept busy on average (coresBusy 2.0 on this 2-core machine: Chromium alone filled it).
 */
function cpuByType(before, after, seconds) {
  const start = new Map(before.map((p) => [p.pid, p.cpuTime]));
  const byType = {};
  for (const p of after) byType[p.type] = (byType[p.type] ?? 0) + p.cpuTime - (start.get(p.pid) ?? 0);
  const total = Object.values(byType).reduce((a, b) => a + b, 0);
  return {
    seconds: Object.fromEntries(Object.entries(byType).map(([t, v]) => [t, +v.toFixed(2)])),
    coresBusy: +(total / seconds).toFixed(2)
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

/**
 * Chromium's own main-thread cost of handing `paths` to an <input type=file multiple> on an empty page with
 * no script at all: the floor of the file-picker path, before any app code runs.
 */
export async function filePickerFloor(browser, paths) {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { serveStatic } = await import('../../scripts/static-server.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'safeload-bench-blank-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><input type="file" id="f" multiple>');
  const server = await serveStatic(dir);
  const page = await browser.newPage();
  try {
    await page.addInitScript(LONGTASK_INIT);
    await page.goto(server.url);
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      window.__longTasks.length = 0;
      window.__longFrames.length = 0;
    });
    await page.setInputFiles('#f', paths);
    await page.waitForTimeout(1000);
    return await mainThreadFigures(page);
  } finally {
    await page.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
