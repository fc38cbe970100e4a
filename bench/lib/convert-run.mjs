import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { memoryMonitor } from './browser.mjs';
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

function timed(fn) {
  const t0 = performance.now();
  const out = fn();
  return { seconds: (performance.now() - t0) / 1000, out };
}

/** The app's conversion in Chromium: the file row's action, output to OPFS (no save dialog in a bench). */
async function convertInApp(page, cdp, baseUrl, input) {
  await page.addInitScript(() => {
    delete Window.prototype.showSaveFilePicker;
    delete window.showSaveFilePicker;
  });
  await page.goto(baseUrl);
  await page.setInputFiles('#file-input', input);
  const row = page.locator('li[data-path]');
  await page.waitForFunction(() => document.querySelector('li[data-path]')?.dataset.state === 'done', null, {
    timeout: 600_000
  });
  const mem = await memoryMonitor(cdp);
  const t0 = Date.now();
  await row.getByRole('button', { name: /^Convert to safetensors/ }).click();
  await page.waitForFunction(
    () => ['done', 'failed'].includes(document.querySelector('[data-convert-state]')?.dataset.convertState),
    null,
    { timeout: 900_000, polling: 50 }
  );
  const seconds = (Date.now() - t0) / 1000;
  const memory = mem.stop();
  const state = await page.locator('[data-convert-state]').getAttribute('data-convert-state');
  const sha256 = await page.locator('[data-convert-state]').getAttribute('data-output-sha256');
  await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry('safeload-convert', { recursive: true }).catch(() => undefined);
  });
  return { state, seconds: +seconds.toFixed(2), sha256, memory };
}

/**
 * Conversion of a 2 GiB zip checkpoint: `safeload convert` (the CLI, a fresh process each run) against
 * copying the same bytes with `cp` (in-kernel copy) and with a Node read/write loop (what any converter
 * that reads the bytes must do at least), all from a warm page cache, median of three; then the app.
 */
export async function runConvertBench({ root, work, log, browser }) {
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
  const result = {
    inputBytes: bytes,
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
  if (browser) {
    log('convert: the app in Chromium (OPFS output) …');
    await warmCache([input]);
    const page = await browser.browser.newPage();
    try {
      const app = await convertInApp(page, browser.cdp, browser.url, input);
      result.browser = {
        ...app,
        MBps: MBps(bytes, app.seconds),
        sameBytesAsCli: app.sha256 === report.outputs[0]?.sha256
      };
    } finally {
      await page.close();
    }
  }
  result.targets = { cliWithin1_5xOfCp: result.ratioVsCp <= 1.5 };
  return result;
}
