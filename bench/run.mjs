// `npm run bench`: hashing throughput of the real app in Chromium against Node/coreutils baselines, then the
// scanning and conversion benchmarks and the CLI's start-up. Prints ONE JSON object on stdout (progress goes to
// stderr). Flags: --no-scan, --no-hash, --no-cli, --no-convert, --only=<workload> (a hashing workload, or
// `convert` for the conversion alone).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashInApp, LONGTASK_INIT } from './lib/app-run.mjs';
import { hashWasmNode, sha256sum } from './lib/baselines.mjs';
import { launch } from './lib/browser.mjs';
import { expectedDigests } from './lib/expected.mjs';
import { ensureHashFiles, warmCache } from './lib/files.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { runConvertBench } from './lib/convert-run.mjs';
import { runScanBench } from './lib/scan-run.mjs';
import { cliStartup } from './lib/cli-startup.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, 'bench', '.work');
const flags = new Set(process.argv.slice(2));
const log = (...a) => console.error('[bench]', ...a);
const ratio = (a, b) => +(a / b).toFixed(2);

const out = {
  date: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: execFileSync(process.env.SAFELOAD_CHROMIUM ?? '/usr/bin/chromium', ['--version'])
      .toString()
      .trim(),
    loadAvgAtStart: loadavg().map((x) => +x.toFixed(2))
  }
};

/** Every row done, and each digest equal to Node crypto's. */
function check(rows, want) {
  const byName = new Map(rows.map((r) => [basename(r.path), r]));
  const bad = Object.entries(want).filter(([p, d]) => {
    const r = byName.get(basename(p));
    return !r || r.state !== 'done' || r.sha256 !== d.sha256 || r.gitSha1 !== d.gitSha1;
  });
  return { correct: bad.length === 0, wrong: bad.slice(0, 3).map(([p]) => basename(p)) };
}

let builtSite;
/** Builds the site once per bench run; served from a copy, as other work may rebuild build/ meanwhile. */
function buildSite() {
  if (builtSite) return builtSite;
  log('building the site (vite build) …');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit']
  });
  builtSite = join(work, 'site');
  rmSync(builtSite, { recursive: true, force: true });
  cpSync(join(root, 'build'), builtSite, { recursive: true });
  return builtSite;
}

async function converting() {
  const server = await serveStatic(buildSite());
  try {
    return await runConvertBench({ root, work, log, siteUrl: server.url });
  } finally {
    await server.close();
  }
}

async function hashing() {
  log('generating/reusing files in bench/.work …');
  const files = ensureHashFiles(work);
  const workloads = {
    oneFile2GiB: [files.big],
    twoFiles1GiBAtOnce: files.pair,
    files1000x64KiB: files.small
  };
  const want = await expectedDigests([files.big, ...files.pair, ...files.small], join(work, 'expected.json'));

  const server = await serveStatic(buildSite());
  const { browser, cdp } = await launch();
  const result = { browser: {}, nodeHashWasmSha256: {}, sha256sum: {} };
  try {
    const page = await browser.newPage();
    await page.addInitScript(LONGTASK_INIT);
    // One warm-up so the first measured run does not pay for compiling the app's workers and wasm.
    await hashInApp(page, cdp, server.url, files.small.slice(0, 4));
    const only = [...flags].find((f) => f.startsWith('--only='))?.slice(7);
    for (const [name, paths] of Object.entries(workloads)) {
      if (only && name !== only) continue;
      await warmCache(paths);
      log(`browser: ${name} …`);
      const r = await hashInApp(page, cdp, server.url, paths);
      const { rows, ...figures } = r;
      result.browser[name] = {
        ...figures,
        ...check(rows, Object.fromEntries(paths.map((p) => [p, want[p]])))
      };
      await warmCache(paths);
      log(`node hash-wasm and sha256sum: ${name} …`);
      result.nodeHashWasmSha256[name] = (({ sha256, ...x }) => x)(await hashWasmNode(paths));
      result.sha256sum[name] = (({ sha256, ...x }) => x)(
        await sha256sum(paths, { parallel: paths.length === 2 })
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (Object.keys(result.browser).length < 3) return result;
  const b = result.browser;
  const n = result.nodeHashWasmSha256;
  result.ratios = {
    oneFileVsNodeHashWasm: ratio(b.oneFile2GiB.MBps, n.oneFile2GiB.MBps),
    twoFilesVsOneFile: ratio(b.twoFiles1GiBAtOnce.MBps, b.oneFile2GiB.MBps),
    oneFileVsSha256sum: ratio(b.oneFile2GiB.MBps, result.sha256sum.oneFile2GiB.MBps),
    smallFilesVsNodeHashWasm: ratio(b.files1000x64KiB.MBps, n.files1000x64KiB.MBps)
  };
  result.targets = {
    oneFileAtLeast0_9xNode: result.ratios.oneFileVsNodeHashWasm >= 0.9,
    twoFilesAtLeast1_4xOne: result.ratios.twoFilesVsOneFile >= 1.4,
    rendererGrowthUnder300MB: b.oneFile2GiB.memory.rendererGrowthMB < 300,
    noMainThreadTaskOver50ms: Object.values(b).every((w) => w.longestMainThreadTaskMs <= 50)
  };
  return result;
}

const onlyConvert = flags.has('--only=convert');
if (!flags.has('--no-hash') && !onlyConvert) out.hashing = await hashing();
if (!flags.has('--no-scan') && !onlyConvert) out.scanning = await runScanBench({ root, work, log });
if (!flags.has('--no-cli') && !onlyConvert) {
  log('CLI start-up (safeload --version) …');
  execFileSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { cwd: root, stdio: 'ignore' });
  out.cliStartup = cliStartup({ root });
}
if (!flags.has('--no-hub') && !onlyConvert) {
  log('hub: scanning an emulated Hub repo in place (bench/hub-remote.ts) …');
  out.hubRemote = JSON.parse(
    execFileSync('npx', ['tsx', join(root, 'bench/hub-remote.ts'), '--json'], { cwd: root }).toString()
  );
}
if (!flags.has('--no-convert')) out.converting = await converting();
out.machine.loadAvgAtEnd = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify(out, null, 2));
