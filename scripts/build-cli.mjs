#!/usr/bin/env node
// Bundles the CLI (src/lib/cli/entry.ts and everything it imports, dependencies included) into ES modules
// under dist/cli/ — safeload.mjs and the chunks each command loads when it runs — so the installed command
// compiles no TypeScript and needs no node_modules. Commands reach the bundle through src/lib/cli/main.ts;
// tests/unit/cli-package.test.ts checks that every source file of src/lib/cli is in it. `npm ci` (prepare)
// and `npm pack` build it; bin/safeload.mjs rebuilds it in a checkout when a source file is newer.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'dist/cli');
export const CLI_BUNDLE = join(OUT, 'safeload.mjs');
/** The source files in the bundle (not published). */
export const CLI_META = join(root, 'dist/cli-meta.json');
const ENTRY = join(root, 'src/lib/cli/entry.ts');
const WORKER_ENTRY = join(root, 'src/lib/node/analyse-worker.ts');
/** What the bundle is made of: a change to any of these makes it stale. */
const INPUTS = ['src/lib', 'package-lock.json', 'scripts/build-cli.mjs'];

/** Bundled CommonJS dependencies may `require` Node built-ins: give the ES module a `require`. */
const BANNER =
  "import { createRequire as __safeloadRequire } from 'node:module';\nconst require = __safeloadRequire(import.meta.url);";

/**
 * @param {{ quiet?: boolean, clean?: boolean }} [options] clean: start from an empty dist/cli (a rebuild in a
 *   checkout keeps old chunks, which a command already running may still load)
 */
export async function buildCli({ quiet = false, clean = false } = {}) {
  const { build } = await import('esbuild');
  if (clean) rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // The worker threads' entry: `safeload scan` reads files in parallel (src/lib/node/analyse-pool.ts).
    entryPoints: { safeload: ENTRY, 'analyse-worker': WORKER_ENTRY },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    metafile: true,
    legalComments: 'eof',
    banner: { js: BANNER },
    logLevel: quiet ? 'error' : 'warning'
  });
  // Each file is written beside and renamed, the entry last: a process started meanwhile never sees half a
  // file, and chunks are named by content, so the entry only ever refers to complete ones.
  const files = [...result.outputFiles].sort(
    (a, b) => Number(a.path === CLI_BUNDLE) - Number(b.path === CLI_BUNDLE)
  );
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  writeFileSync(CLI_META, JSON.stringify({ inputs: Object.keys(result.metafile.inputs).sort() }, null, 1));
  if (!quiet) {
    const kib = Math.round(files.reduce((n, f) => n + f.contents.length, 0) / 1024);
    console.log(`built dist/cli/ (${files.length} files, ${kib} KiB)`);
  }
}

/** @param {string} path @returns {number} */
function newestInput(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestInput(join(path, name))));
}

/** Rebuilds the bundle when it is missing or older than a source file (in a checkout only). */
export async function ensureCliBuilt() {
  const built = statSync(CLI_BUNDLE, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (INPUTS.some((p) => newestInput(join(root, p)) > built)) await buildCli({ quiet: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildCli({ clean: true });
