import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright';

import { CHROMIUM_ARGS, findChromium } from '../../tests/e2e/chromium-path.mjs';

export { CHROMIUM_ARGS };

export function chromiumPath() {
  const found = findChromium();
  if (!found.path) throw new Error(found.help);
  return found.path;
}

/** Extra Chromium switches for an experiment (BENCH_CHROMIUM_EXTRA="--js-flags=… --other"); none by default. */
const EXTRA = (process.env.BENCH_CHROMIUM_EXTRA ?? '').split(' ').filter(Boolean);

export async function launch() {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, ...EXTRA]
  });
  const cdp = await browser.newBrowserCDPSession();
  return { browser, cdp };
}

/** Chromium's processes by type (browser, renderer, utility, …) with their pids, via CDP SystemInfo. */
export async function chromiumProcesses(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return processInfo.map((p) => ({ type: p.type, pid: p.id, cpuTime: p.cpuTime }));
}

function statusKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resets the kernel's peak-RSS counter (VmHWM) of a process; false when not permitted. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples the RSS of Chromium's renderer(s) and browser process every `everyMs` while a run lasts, and reads
 * the kernel's peak (VmHWM, reset at start) so short spikes between samples are not missed.
 */
export async function memoryMonitor(cdp, everyMs = 50) {
  const procs = (await chromiumProcesses(cdp)).filter((p) => p.type === 'renderer' || p.type === 'browser');
  const rss = (type) =>
    procs.filter((p) => p.type === type).reduce((s, p) => s + statusKb(p.pid, 'VmRSS'), 0);
  const hwm = (type) =>
    procs.filter((p) => p.type === type).reduce((s, p) => s + statusKb(p.pid, 'VmHWM'), 0);
  const peakReset = procs.every((p) => resetPeak(p.pid));
  const base = { renderer: rss('renderer'), browser: rss('browser') };
  const peak = { ...base };
  const timer = setInterval(() => {
    peak.renderer = Math.max(peak.renderer, rss('renderer'));
    peak.browser = Math.max(peak.browser, rss('browser'));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      if (peakReset) {
        peak.renderer = Math.max(peak.renderer, hwm('renderer'));
        peak.browser = Math.max(peak.browser, hwm('browser'));
      }
      const mb = (n) => Math.round(n / 1e6);
      return {
        rendererBaseMB: mb(base.renderer),
        rendererPeakMB: mb(peak.renderer),
        rendererGrowthMB: mb(peak.renderer - base.renderer),
        browserGrowthMB: mb(peak.browser - base.browser),
        peakFromKernel: peakReset
      };
    }
  };
}
