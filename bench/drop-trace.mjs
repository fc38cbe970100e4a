// Bench-only experiment: where the main thread's long tasks go when a folder of many files is dropped.
// Usage: node bench/drop-trace.mjs [small|tiny]   (tiny: 10,000 × 4 KiB, the default; small: 1,000 × 64 KiB)
// Drops the folder on the built app under a Chromium trace and prints, for every main-thread task over 50 ms,
// what ran in it: trace events by name and the JavaScript functions sampled by the CPU profiler (self time).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../scripts/static-server.mjs';
import { launch } from './lib/browser.mjs';
import { ensureHashFiles, warmCache } from './lib/files.mjs';
import { hashInApp, LONGTASK_INIT } from './lib/app-run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, 'bench', '.work');
const files = ensureHashFiles(work);
const which = process.argv[2] === 'small' ? 'small' : 'tiny';
const site = join(work, 'site-trace');
if (!existsSync(site) || process.env.REBUILD !== '0') {
  // Not minified, so the profile names the functions.
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn', '--minify', 'false'], {
    cwd: root,
    stdio: 'inherit'
  });
  rmSync(site, { recursive: true, force: true });
  cpSync(join(root, 'build'), site, { recursive: true });
}
const server = await serveStatic(site);
const { browser, cdp } = await launch();
const page = await browser.newPage();
await page.addInitScript(LONGTASK_INIT);
await hashInApp(page, cdp, server.url, files.small.slice(0, 4)); // warm-up: compile workers and wasm
// BEFORE=small: drop the 1,000-file folder first, as `npm run bench` does (its results are kept and restored).
if (process.env.BEFORE === 'small')
  await hashInApp(page, cdp, server.url, files.small, { dropDir: files.smallDir });
await warmCache(files[which]);

const categories = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler'
];
await browser.startTracing(page, { categories });
const figures = await hashInApp(page, cdp, server.url, files[which], {
  dropDir: which === 'small' ? files.smallDir : files.tinyDir
});
const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
await browser.close();
await server.close();

const events = trace.traceEvents ?? trace;
// The page's main thread: of the renderers' main threads, the busiest.
const busy = (t) =>
  events.reduce((s, e) => (e.pid === t.pid && e.tid === t.tid && e.name === 'RunTask' ? s + e.dur : s), 0);
const mainTid = events
  .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  .sort((a, b) => busy(b) - busy(a))[0];
const onMain = (e) => e.pid === mainTid.pid && e.tid === mainTid.tid;
const minMs = Number(process.env.MIN_MS ?? 50);
const tasks = events.filter((e) => onMain(e) && e.name === 'RunTask' && e.dur > minMs * 1000);

// CPU profile samples on the main thread: nodes (function names) and (timeDelta, node) pairs.
const nodes = new Map();
const samples = [];
const profiles = new Map(
  events
    .filter((e) => e.name === 'Profile' && e.pid === mainTid.pid && e.tid === mainTid.tid)
    .map((e) => [e.id, e.args?.data?.startTime ?? e.ts])
);
const clock = new Map(profiles);
for (const e of events) {
  if (e.name !== 'ProfileChunk' || e.pid !== mainTid.pid || !profiles.has(e.id)) continue;
  const data = e.args?.data;
  for (const n of data?.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
  const ids = data?.cpuProfile?.samples ?? [];
  const deltas = data?.timeDeltas ?? [];
  let t = clock.get(e.id);
  ids.forEach((id, i) => {
    t += deltas[i] ?? 0;
    samples.push({ t, id });
  });
  clock.set(e.id, t);
}
const label = (n) => {
  const f = n?.callFrame;
  if (!f) return '?';
  const where = f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

console.log(JSON.stringify({ which, ...(({ rows, memory, ...x }) => x)(figures) }));
for (const task of tasks) {
  const end = task.ts + task.dur;
  const inside = events.filter(
    (e) => onMain(e) && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && e !== task
  );
  const byName = new Map();
  for (const e of inside) if (e.dur) byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur);
  const self = new Map();
  const sampled = samples.filter((s) => s.t >= task.ts && s.t <= end);
  for (let i = 0; i < sampled.length; i++) {
    const dt = i + 1 < sampled.length ? sampled[i + 1].t - sampled[i].t : 0;
    const key = label(nodes.get(sampled[i].id));
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${(v / 1000).toFixed(1)} ms ${k}`);
  const at = (task.ts - tasks[0].ts) / 1000;
  console.log(
    `\ntask ${(task.dur / 1000).toFixed(0)} ms, ${at.toFixed(0)} ms after the first; ${sampled.length} samples`
  );
  console.log('  events:', top(byName, 8).join(' | '));
  console.log('  js self:', '\n    ' + top(self, 14).join('\n    '));
}
