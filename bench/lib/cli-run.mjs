import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmCache } from './files.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 3) => +x.toFixed(d);

/** Runs a command under GNU time: wall, user and system seconds, and its stdout. */
function timed(cmd, args, cwd) {
  return new Promise((resolve, reject) =>
    execFile(
      '/usr/bin/time',
      ['-f', 'TIME %e %U %S', cmd, ...args],
      { cwd, maxBuffer: 256 << 20 },
      (err, stdout, stderr) => {
        const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
        // `safeload scan` exits 1 when something is at or above --fail-on; only a missing time line is fatal.
        if (!m) return reject(err ?? new Error(`no timing from ${cmd}: ${stderr.slice(-500)}`));
        resolve({ wall: +m[1], cpu: round(+m[2] + +m[3], 2), stdout });
      }
    )
  );
}

/** Median and spread of `runs` ({wall, cpu}) plus the load average when they ran. */
function summary(runs) {
  const walls = runs.map((r) => r.wall);
  return {
    seconds: median(walls),
    min: Math.min(...walls),
    max: Math.max(...walls),
    cpuSeconds: median(runs.map((r) => r.cpu)),
    runs: walls
  };
}

/**
 * `safeload scan --json` as installed (bin/ and the prebuilt dist/cli/ copied out of the checkout, so the
 * launcher checks no sources) against `sha256sum` on the same inputs, run alternately `repeat` times so both
 * see the same machine load. Digests are checked against sha256sum's. Build dist/cli/ first.
 */
export async function runCliBench({ root, work, checkpoint, smallDir, smallFiles, repeat, log }) {
  const pkg = mkdtempSync(join(tmpdir(), 'safeload-cli-bench-'));
  cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(root, 'dist/cli'), join(pkg, 'dist/cli'), { recursive: true });
  try {
    return await benchInstalled(join(pkg, 'bin/safeload.mjs'), {
      root,
      work,
      checkpoint,
      smallDir,
      smallFiles,
      repeat,
      log
    });
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
}

async function benchInstalled(bin, { root, work, checkpoint, smallDir, smallFiles, repeat, log }) {
  const cli = (...args) => timed(process.execPath, [bin, 'scan', '--json', ...args], root);
  const sum = (...paths) => timed('sha256sum', paths, root);
  const sumsOf = (stdout) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);

  const measure = async (label, cliArgs, sumArgs, bytes) => {
    const cliRuns = [];
    const sumRuns = [];
    const load = [];
    let correct = true;
    await warmCache(sumArgs);
    for (let i = 0; i < repeat; i++) {
      log(`cli: ${label} run ${i + 1}/${repeat} (load ${loadavg()[0].toFixed(1)}) …`);
      load.push(round(loadavg()[0], 1));
      const s = await sum(...sumArgs);
      const c = await cli(...cliArgs);
      sumRuns.push(s);
      cliRuns.push(c);
      const want = sumsOf(s.stdout).sort();
      const got = JSON.parse(c.stdout)
        .files.map((f) => f.sha256)
        .sort();
      correct &&= JSON.stringify(want) === JSON.stringify(got);
    }
    const ratios = cliRuns.map((c, i) => c.wall / sumRuns[i].wall);
    return {
      bytes,
      cli: summary(cliRuns),
      sha256sum: summary(sumRuns),
      cliVsSha256sum: round(median(cliRuns.map((r) => r.wall)) / median(sumRuns.map((r) => r.wall)), 2),
      ratioSpread: [round(Math.min(...ratios), 2), round(Math.max(...ratios), 2)],
      loadAverage: load,
      correct
    };
  };

  log('cli: start-up on an empty folder …');
  const empty = join(work, 'empty');
  mkdirSync(empty, { recursive: true });
  const startup = [];
  for (let i = 0; i < repeat; i++) startup.push(await cli(empty));
  const checkpointResult = await measure(
    '512 MB checkpoint',
    [checkpoint],
    [checkpoint],
    statSync(checkpoint).size
  );
  const smallBytes = smallFiles.reduce((s, p) => s + statSync(p).size, 0);
  const smallResult = await measure('1,000 small files', [smallDir], smallFiles, smallBytes);
  return {
    command: 'safeload scan --json (installed: bin/ + dist/cli/)',
    startup: summary(startup),
    checkpoint512MB: checkpointResult,
    files1000: smallResult,
    targets: {
      checkpointAtMost1_3xSha256sum: checkpointResult.cliVsSha256sum <= 1.3,
      files1000AtMost1_3xSha256sum: smallResult.cliVsSha256sum <= 1.3
    }
  };
}
