// `npm run bench`: hashing throughput of the real app in Chromium against Node/coreutils baselines, the main
// thread on drops of 1,000 and 10,000 files, offline against online, the scanning benchmarks, the CLI against
// sha256sum and its start-up, then the conversion benchmarks. Prints ONE JSON object on stdout (progress goes
// to stderr). Flags: --no-scan, --no-hash, --no-cli, --no-convert, --only=<workload> (a hashing workload,
// `picker`, `offline`, `cli`, or `convert` for the conversion alone), --repeat=N (default 3: medians, spreads).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filePickerFloor, hashInApp, hashOnlineAndOffline, LONGTASK_INIT } from './lib/app-run.mjs';
import { hashWasmNode, sha256sum } from './lib/baselines.mjs';
import { launch } from './lib/browser.mjs';
import { runCliBench } from './lib/cli-run.mjs';
import { expectedDigests } from './lib/expected.mjs';
import { ensureHashFiles, warmCache } from './lib/files.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { runConvertBench } from './lib/convert-run.mjs';
import { runScanBench, scanInputs } from './lib/scan-run.mjs';
import { cliStartup } from './lib/cli-startup.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, 'bench', '.work');
const args = process.argv.slice(2);
const flags = new Set(args);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const repeat = Math.max(1, Number(option('repeat') ?? 3));
const only = option('only');
const log = (...a) => console.error('[bench]', ...a);
const ratio = (a, b) => +(a / b).toFixed(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Files up to this size get a git blob SHA-1 in the app (src/lib/core/hash/git-sha1-limit.ts). */
const GIT_SHA1_MAX_BYTES = 10 * 1024 * 1024;

const out = {
  date: new Date().toISOString(),
  repeat,
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

/** Every row done, the SHA-256 equal to Node crypto's, the git blob SHA-1 too for files that get one. */
function check(rows, want) {
  const byName = new Map(rows.map((r) => [basename(r.path), r]));
  const bad = Object.entries(want).filter(([p, d]) => {
    const r = byName.get(basename(p));
    const gitSha1 = statSync(p).size <= GIT_SHA1_MAX_BYTES ? d.gitSha1 : undefined;
    return !r || r.state !== 'done' || r.sha256 !== d.sha256 || (r.gitSha1 || undefined) !== gitSha1;
  });
  return { correct: bad.length === 0, wrong: bad.slice(0, 3).map(([p]) => basename(p)) };
}

/** Median of each figure over repeated runs, with the MB/s of every run (the spread). */
function combine(runs) {
  const pick = (k) => median(runs.map((r) => r[k]));
  return {
    MBps: pick('MBps'),
    MBpsRuns: runs.map((r) => r.MBps),
    seconds: pick('seconds'),
    filesPerSecond: pick('filesPerSecond'),
    longestMainThreadTaskMs: Math.max(...runs.map((r) => r.longestMainThreadTaskMs)),
    longestMainThreadTaskMsRuns: runs.map((r) => r.longestMainThreadTaskMs),
    longTasksOver50msRuns: runs.map((r) => r.longTasksOver50ms),
    /** Where each run's longest task began and when its last file finished, in ms from the pick or drop. */
    longestTaskAtMsRuns: runs.map((r) => r.longestMainThreadTaskAtMs),
    finishedAtMsRuns: runs.map((r) => r.finishedAtMs),
    longestAnimationFrameMs: Math.max(...runs.map((r) => r.longestAnimationFrameMs)),
    longestAnimationFrameBlockingMs: Math.max(...runs.map((r) => r.longestAnimationFrameBlockingMs)),
    longestAnimationFrameScripts: runs.reduce((a, b) =>
      b.longestAnimationFrameMs > a.longestAnimationFrameMs ? b : a
    ).longestAnimationFrameScripts,
    rendererGrowthMB: Math.max(...runs.map((r) => r.memory.rendererGrowthMB)),
    /** Chromium's CPU seconds by process type, and the cores it kept busy, in each run. */
    cpuRuns: runs.map((r) => r.cpu),
    loadAverage: runs.map((r) => r.load),
    correct: runs.every((r) => r.correct),
    wrong: runs.flatMap((r) => r.wrong).slice(0, 3)
  };
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
    files1000x64KiB: files.small,
    files10000x4KiB: files.tiny
  };
  // The many-file workloads are folder drops (how a user hands over a model folder); the file picker's own
  // cost is measured separately on an empty page (filePickerFloor).
  const dropDirs = { files1000x64KiB: files.smallDir, files10000x4KiB: files.tinyDir };
  const want = await expectedDigests(
    [files.big, ...files.pair, ...files.small, ...files.tiny, files.half],
    join(work, 'expected.json')
  );

  const server = await serveStatic(buildSite());
  const { browser, cdp } = await launch();
  const result = { browser: {}, nodeHashWasmSha256: {}, sha256sum: {} };
  try {
    const page = await browser.newPage();
    await page.addInitScript(LONGTASK_INIT);
    // One warm-up so the first measured run does not pay for compiling the app's workers and wasm.
    await hashInApp(page, cdp, server.url, files.small.slice(0, 4));
    for (const [name, paths] of Object.entries(workloads)) {
      if (only && !only.split(',').includes(name)) continue;
      const wanted = Object.fromEntries(paths.map((p) => [p, want[p]]));
      const runs = [];
      const node = [];
      const coreutils = [];
      for (let i = 0; i < repeat; i++) {
        await warmCache(paths);
        const load = +loadavg()[0].toFixed(1);
        log(`browser: ${name} run ${i + 1}/${repeat} (load ${load}) …`);
        const { rows, ...figures } = await hashInApp(page, cdp, server.url, paths, {
          dropDir: dropDirs[name]
        });
        runs.push({ ...figures, load, ...check(rows, wanted) });
        log(`node hash-wasm and sha256sum: ${name} …`);
        node.push((({ sha256, ...x }) => x)(await hashWasmNode(paths)));
        coreutils.push((({ sha256, ...x }) => x)(await sha256sum(paths, { parallel: paths.length === 2 })));
      }
      result.browser[name] = combine(runs);
      result.nodeHashWasmSha256[name] = {
        MBps: median(node.map((r) => r.MBps)),
        MBpsRuns: node.map((r) => r.MBps)
      };
      result.sha256sum[name] = {
        MBps: median(coreutils.map((r) => r.MBps)),
        MBpsRuns: coreutils.map((r) => r.MBps)
      };
    }
    if (!only || only === 'picker') {
      log('file picker on an empty page: Chromium alone, 1,000 and 10,000 files …');
      result.filePickerFloor = {
        files1000: await filePickerFloor(browser, files.small),
        files10000: await filePickerFloor(browser, files.tiny)
      };
    }
    if (!only || only === 'offline') {
      log('browser: 512 MiB online, then offline (service worker) …');
      await warmCache([files.half]);
      const runs = await hashOnlineAndOffline(browser, cdp, server.url, files.half, repeat);
      const rightDigest = [...runs.online, ...runs.offline].every(
        (r) => r.sha256 === want[files.half].sha256
      );
      const on = median(runs.online.map((r) => r.MBps));
      const off = median(runs.offline.map((r) => r.MBps));
      result.offline512MiB = {
        onlineMBps: on,
        offlineMBps: off,
        onlineRuns: runs.online.map((r) => r.MBps),
        offlineRuns: runs.offline.map((r) => r.MBps),
        offlineVsOnline: ratio(off, on),
        correct: rightDigest
      };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const b = result.browser;
  const n = result.nodeHashWasmSha256;
  const has = (...names) => names.every((k) => b[k]);
  result.ratios = {
    ...(has('oneFile2GiB') && {
      oneFileVsNodeHashWasm: ratio(b.oneFile2GiB.MBps, n.oneFile2GiB.MBps),
      oneFileVsNodeHashWasmRuns: b.oneFile2GiB.MBpsRuns.map((x, i) => ratio(x, n.oneFile2GiB.MBpsRuns[i])),
      oneFileVsSha256sum: ratio(b.oneFile2GiB.MBps, result.sha256sum.oneFile2GiB.MBps)
    }),
    ...(has('oneFile2GiB', 'twoFiles1GiBAtOnce') && {
      twoFilesVsOneFile: ratio(b.twoFiles1GiBAtOnce.MBps, b.oneFile2GiB.MBps),
      twoFilesVsOneFileRuns: b.twoFiles1GiBAtOnce.MBpsRuns.map((x, i) => ratio(x, b.oneFile2GiB.MBpsRuns[i]))
    })
  };
  result.targets = {
    ...(has('oneFile2GiB') && { oneFileAtLeast0_9xNode: result.ratios.oneFileVsNodeHashWasm >= 0.9 }),
    ...(has('oneFile2GiB', 'twoFiles1GiBAtOnce') && {
      twoFilesAtLeast1_4xOne: result.ratios.twoFilesVsOneFile >= 1.4
    }),
    ...(has('oneFile2GiB') && { rendererGrowthUnder300MB: b.oneFile2GiB.rendererGrowthMB < 300 }),
    ...(has('files1000x64KiB') && {
      noTaskOver50msFor1000Files: b.files1000x64KiB.longestMainThreadTaskMs <= 50
    }),
    ...(has('files10000x4KiB') && {
      noTaskOver50msFor10000Files: b.files10000x4KiB.longestMainThreadTaskMs <= 50
    }),
    ...(result.offline512MiB && {
      offlineWithin10PercentOfOnline: result.offline512MiB.offlineVsOnline >= 0.9
    })
  };
  return result;
}

const onlyConvert = flags.has('--only=convert');
if (!flags.has('--no-hash') && !onlyConvert) out.hashing = await hashing();
if (!flags.has('--no-scan') && !only) out.scanning = await runScanBench({ root, work, log });
if (!flags.has('--no-cli') && (!only || only === 'cli')) {
  log('CLI: building the bundle …');
  const files = ensureHashFiles(work);
  execFileSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { cwd: root, stdio: 'ignore' });
  log('CLI start-up (safeload --version) …');
  out.cliStartup = cliStartup({ root });
  const { checkpoint512 } = scanInputs(root, work, log);
  out.cli = await runCliBench({
    root,
    work,
    checkpoint: checkpoint512,
    smallDir: files.smallDir,
    smallFiles: files.small,
    repeat: Math.max(repeat, 5),
    log
  });
}
if (!flags.has('--no-hub') && !only) {
  log('hub: scanning an emulated Hub repo in place (bench/hub-remote.ts) …');
  out.hubRemote = JSON.parse(
    execFileSync('npx', ['tsx', join(root, 'bench/hub-remote.ts'), '--json'], { cwd: root }).toString()
  );
}
if (!flags.has('--no-convert') && (!only || onlyConvert)) out.converting = await converting();
out.machine.loadAvgAtEnd = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify(out, null, 2));
