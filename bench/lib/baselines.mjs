import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { createSHA256 } from 'hash-wasm';

const mbps = (bytes, ms) => Math.round(bytes / 1e6 / (ms / 1000));

const buf = new Uint8Array(8 << 20);

async function hashWasmFile(h, path, chunk = buf.length) {
  h.init();
  const fh = await open(path, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunk, null);
      if (!bytesRead) break;
      h.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { bytes, sha256: h.digest('hex') };
}

/** hash-wasm SHA-256 in Node (one file after another, as one Node thread would). */
export async function hashWasmNode(paths) {
  const h = await createSHA256();
  const t0 = performance.now();
  let bytes = 0;
  const sha256 = [];
  for (const p of paths) {
    const r = await hashWasmFile(h, p);
    bytes += r.bytes;
    sha256.push(r.sha256);
  }
  const ms = performance.now() - t0;
  return { MBps: mbps(bytes, ms), seconds: +(ms / 1000).toFixed(2), sha256 };
}

/** coreutils sha256sum over the same files (one process; `parallel` runs one process per file at once). */
export async function sha256sum(paths, { parallel = false } = {}) {
  const run = (args) =>
    new Promise((resolve, reject) =>
      execFile('sha256sum', args, { maxBuffer: 64 << 20 }, (err, out) => (err ? reject(err) : resolve(out)))
    );
  const { statSync } = await import('node:fs');
  const bytes = paths.reduce((s, p) => s + statSync(p).size, 0);
  const t0 = performance.now();
  const outs = parallel ? await Promise.all(paths.map((p) => run([p]))) : [await run(paths)];
  const ms = performance.now() - t0;
  const sha256 = outs
    .join('')
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[0]);
  return { MBps: mbps(bytes, ms), seconds: +(ms / 1000).toFixed(2), sha256 };
}
