// Bench-only experiment: compares hashing strategies in Chromium workers on the bench files.
// Usage: node bench/lab-run.mjs [strategy[:json-opts] ...]   (results inform src/lib/workers/hash-file.ts)
import { join } from 'node:path';
import { warmCache } from './lib/files.mjs';
import { memoryMonitor } from './lib/browser.mjs';
import { expectedDigests } from './lib/expected.mjs';
import { openLab } from './lib/lab.mjs';

const { work, files, server, browser, cdp, page } = await openLab();
const paths = [files.big, ...files.pair];
await page.setInputFiles('#files', paths);
const want = await expectedDigests(paths, join(work, 'expected.json'));

const specs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['inline', 'inline:{"mode":"stream"}', 'readerToHasher', 'splitReadTwice', 'sha1Reader', 'readerToTwo'];
for (const spec of specs) {
  const [name, json] = spec.split(/:(.*)/s);
  const opts = json ? JSON.parse(json) : {};
  for (const [label, idx] of [
    ['one 2 GiB', [0]],
    ['two 1 GiB', [1, 2]]
  ]) {
    const warm = await warmCache(idx.map((i) => paths[i]));
    const mem = await memoryMonitor(cdp);
    const r = await Promise.race([
      page.evaluate(([n, i, o]) => window.lab.run(n, i, o), [name, idx, opts]),
      new Promise((_, rej) =>
        setTimeout(() => rej(new Error(`${spec} ${label}: no result after 120 s`)), 120_000)
      )
    ]);
    const m = mem.stop();
    // Strategies may compute SHA-256 alone (what the app does for large files) or with the SHA-1.
    const ok = idx.every(
      (i, k) =>
        r.digests[k].sha256 === want[paths[i]].sha256 &&
        (r.digests[k].sha1 === undefined || r.digests[k].sha1 === want[paths[i]].gitSha1)
    );
    console.log(
      `${spec.padEnd(40)} ${label}: ${(r.bytes / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s ` +
        `${ok ? 'ok' : 'WRONG'} renderer +${m.rendererGrowthMB} MB browser +${m.browserGrowthMB} MB longtask ${r.longestTask.toFixed(0)} ms (warm ${warm.toFixed(1)} s)`
    );
  }
}
await browser.close();
await server.close();
