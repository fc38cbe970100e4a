// Start-up of the packaged CLI: `safeload --version` as installed (the launcher and the prebuilt bundle, no
// source check) and from the checkout (which first checks that the bundle is newer than the sources), against
// bare `node -e 0` on the same machine: on a shared machine the load shows in all three alike.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function measure(args, runs) {
  const wall = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  wall.sort((a, b) => a - b);
  return { minMs: +wall[0].toFixed(1), medianMs: +wall[Math.floor(runs / 2)].toFixed(1) };
}

/** @param {{ root: string, runs?: number }} options */
export function cliStartup({ root, runs = 15 }) {
  // As installed: bin/ and dist/ without the checkout's scripts/, so the launcher checks no sources.
  const pkg = mkdtempSync(join(tmpdir(), 'safeload-startup-'));
  try {
    cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(root, 'dist/cli'), join(pkg, 'dist/cli'), { recursive: true });
    return {
      runs,
      nodeBare: measure(['-e', '0'], runs),
      versionInstalled: measure([join(pkg, 'bin/safeload.mjs'), '--version'], runs),
      versionCheckout: measure([join(root, 'bin/safeload.mjs'), '--version'], runs)
    };
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
}
