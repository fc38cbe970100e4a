// Bench-only: raw hashing and reading speeds inside Chromium workers, with CPU time per Chromium process.
import { chromiumProcesses } from './lib/browser.mjs';
import { openLab } from './lib/lab.mjs';
import { warmCache } from './lib/files.mjs';

const { files, server, browser, cdp, page } = await openLab();
const paths = [files.big, ...files.pair];
await page.setInputFiles('#files', paths);
const cpu = async () =>
  Object.fromEntries((await chromiumProcesses(cdp)).map((p) => [`${p.type}:${p.pid}`, p.cpuTime]));
const cases = JSON.parse(process.argv[2]);
for (const [label, msg, count = 1] of cases) {
  // This kernel reclaims cold pages (DAMON): a case must not pay for the disk.
  if (msg.file !== undefined) await warmCache(paths.slice(msg.file, msg.file + count));
  const before = await cpu();
  const r = await page.evaluate(([m, c]) => window.lab.raw(m, c), [msg, count]);
  const after = await cpu();
  const bytes = r.rs.reduce((s, x) => s + (x.bytes ?? x.digests.n ?? 0), 0);
  const used = Object.entries(after)
    .map(([k, v]) => `${k.split(':')[0]} ${(v - (before[k] ?? 0)).toFixed(1)}s`)
    .filter((x) => !x.endsWith(' 0.0s'));
  console.log(
    `${label.padEnd(36)} ${(bytes / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s in ${(r.ms / 1000).toFixed(1)} s; cpu: ${used.join(', ')}`
  );
}
await browser.close();
await server.close();
