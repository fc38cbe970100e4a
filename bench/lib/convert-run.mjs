import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS, chromiumPath } from './browser.mjs';
import { warmCache } from './files.mjs';

const PY = process.env.SAFELOAD_TORCH_PYTHON ?? '/usr/bin/python3';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MBps = (bytes, s) => Math.round(bytes / 1e6 / s);

/** The floor for any converter that reads the bytes into memory: a Node read/write loop, recycled buffers. */
const NODE_COPY = `
const fs = require('node:fs');
const [from, to] = process.argv.slice(1);
const input = fs.openSync(from, 'r');
const output = fs.openSync(to, 'w');
const buf = Buffer.allocUnsafe(8 << 20);
for (let pos = 0, n; (n = fs.readSync(input, buf, 0, buf.length, pos)) > 0; pos += n) fs.writeSync(output, buf, 0, n);
fs.closeSync(input);
fs.closeSync(output);
`;

/**
 * Peak resident memory (MB) of a command, by GNU time's %M (kilobytes); undefined without /usr/bin/time.
 * Run apart from the timed runs, so the wrapper adds nothing to them.
 */
function peakRssMB(command, args, cwd) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', command, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20
  });
  const kb = /maxrss_kb=(\d+)/.exec(r.stderr ?? '')?.[1];
  return kb ? Math.round((Number(kb) * 1024) / 1e6) : undefined;
}

function timed(fn) {
  const t0 = performance.now();
  const out = fn();
  return { seconds: (performance.now() - t0) / 1000, out };
}

/** Resident memory of the Chromium processes using `profile`, by type, sampled until stopped. */
function profileMemory(profile) {
  const procs = () =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (!cmd.includes(profile)) return undefined;
          const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
          return { type, rss: rss ? Number(rss[1]) * 1024 : 0 };
        } catch {
          return undefined;
        }
      })
      .filter(Boolean);
  const sum = (type) => procs().reduce((n, p) => n + (p.type === type ? p.rss : 0), 0);
  const base = { renderer: sum('renderer'), browser: sum('browser') };
  const peak = { ...base };
  const timer = setInterval(() => {
    peak.renderer = Math.max(peak.renderer, sum('renderer'));
    peak.browser = Math.max(peak.browser, sum('browser'));
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const mb = (n) => Math.round(n / 1e6);
      return {
        rendererBaseMB: mb(base.renderer),
        rendererPeakMB: mb(peak.renderer),
        rendererGrowthMB: mb(peak.renderer - base.renderer),
        browserGrowthMB: mb(peak.browser - base.browser)
      };
    }
  };
}

/**
 * The app's conversion in Chromium: the file row's action, output to the origin-private file system (no save
 * dialog in a bench). A persistent profile, as a user has: a private window keeps OPFS in memory, with a quota.
 */
async function convertInApp(baseUrl, input, profile) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(() => {
      delete Window.prototype.showSaveFilePicker;
      delete window.showSaveFilePicker;
    });
    await page.goto(baseUrl);
    await page.setInputFiles('#file-input', input);
    const row = page.locator('li[data-path]');
    await page.waitForFunction(
      () => document.querySelector('li[data-path]')?.dataset.state === 'done',
      null,
      {
        timeout: 1_800_000
      }
    );
    const mem = profileMemory(profile);
    const t0 = Date.now();
    await row.getByRole('button', { name: /^Convert to safetensors/ }).click();
    await page.waitForFunction(
      () => ['done', 'failed'].includes(document.querySelector('[data-convert-state]')?.dataset.convertState),
      null,
      { timeout: 1_800_000, polling: 100 }
    );
    const seconds = (Date.now() - t0) / 1000;
    const memory = mem.stop();
    const action = page.locator('[data-convert-state]');
    const state = await action.getAttribute('data-convert-state');
    const sha256 = await action.getAttribute('data-output-sha256');
    const error = state === 'done' ? undefined : (await action.innerText()).slice(0, 400);
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('safeload-convert', { recursive: true }).catch(() => undefined);
    });
    return { state, error, seconds: +seconds.toFixed(2), sha256, memory };
  } finally {
    await context.close();
  }
}

/**
 * Conversion of a 2 GiB zip checkpoint: `safeload convert` (the CLI, a fresh process each run) against
 * copying the same bytes with `cp` (in-kernel copy) and with a Node read/write loop (what any converter
 * that reads the bytes must do at least), all from a warm page cache, median of three; then the app.
 */
export async function runConvertBench({ root, work, log, siteUrl }) {
  const dir = join(work, 'convert');
  const input = join(dir, 'checkpoint-2g.pt');
  log('convert: generating a 2 GiB checkpoint with', PY, '…');
  execFileSync(PY, [join(root, 'bench/lib/make-convert-file.py'), input], {
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const bytes = statSync(input).size;
  const copy = join(dir, 'copy.pt');
  const output = join(dir, 'model.safetensors');
  const cp = [];
  const nodeCopy = [];
  const cli = [];
  let report;
  for (let i = 0; i < 3; i++) {
    await warmCache([input]);
    log(`convert: cp run ${i + 1} …`);
    cp.push(timed(() => execFileSync('cp', ['--sparse=never', input, copy])).seconds);
    rmSync(copy, { force: true });
    await warmCache([input]);
    log(`convert: node read/write loop run ${i + 1} …`);
    nodeCopy.push(timed(() => execFileSync('node', ['-e', NODE_COPY, input, copy])).seconds);
    rmSync(copy, { force: true });
    await warmCache([input]);
    log(`convert: safeload convert run ${i + 1} …`);
    const run = timed(() =>
      execFileSync(
        'node',
        [join(root, 'bin/safeload.mjs'), 'convert', input, '-o', output, '--force', '--json'],
        {
          cwd: root,
          maxBuffer: 64 << 20
        }
      )
    );
    cli.push(run.seconds);
    report = JSON.parse(run.out.toString());
    rmSync(output, { force: true });
  }
  await warmCache([input]);
  log('convert: peak memory of safeload convert …');
  const cliPeakRssMB = peakRssMB(
    'node',
    [join(root, 'bin/safeload.mjs'), 'convert', input, '-o', output, '--force', '--json'],
    root
  );
  rmSync(output, { force: true });
  const result = {
    inputBytes: bytes,
    cliPeakRssMB,
    outputBytes: report.outputs[0]?.size,
    ok: report.ok,
    cpSeconds: +median(cp).toFixed(2),
    cpMBps: MBps(bytes, median(cp)),
    nodeCopySeconds: +median(nodeCopy).toFixed(2),
    cliSeconds: +median(cli).toFixed(2),
    cliMBps: MBps(bytes, median(cli)),
    cliInProcessSeconds: +(report.durationMs / 1000).toFixed(2),
    ratioVsCp: +(median(cli) / median(cp)).toFixed(2),
    ratioVsNodeCopy: +(median(cli) / median(nodeCopy)).toFixed(2),
    runs: {
      cp: cp.map((s) => +s.toFixed(2)),
      nodeCopy: nodeCopy.map((s) => +s.toFixed(2)),
      cli: cli.map((s) => +s.toFixed(2))
    }
  };
  if (siteUrl) {
    log('convert: the app in Chromium (OPFS output, persistent profile) …');
    await warmCache([input]);
    const profile = mkdtempSync(join(dir, 'profile-'));
    try {
      const app = await convertInApp(siteUrl, input, profile);
      result.browser = {
        ...app,
        MBps: MBps(bytes, app.seconds),
        sameBytesAsCli: app.sha256 === report.outputs[0]?.sha256
      };
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }
  result.targets = { cliWithin1_5xOfCp: result.ratioVsCp <= 1.5 };
  return result;
}
