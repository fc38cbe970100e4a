import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { PRECACHE_LIST } from './precache-path.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Writes `_app/precache.json` into SvelteKit's client output (`clientDir`): every file under `_app/`, itself
 * included. SvelteKit's `$service-worker` build list names only the client manifest's chunks, which misses
 * nested workers (the hash feeder, the digest worker) and the chunks under `_app/immutable/workers/`; the service
 * worker precaches this list too, so the app works offline exactly as online. It runs once the client and the
 * service worker are built and before the adapter copies the client output into the site (and `vite preview`
 * serves it from there).
 */
export function precacheList(clientDir: string): Plugin {
  let ssr = false;
  return {
    name: 'safeload-precache-list',
    apply: 'build',
    configResolved(config) {
      ssr = Boolean(config.build.ssr);
    },
    writeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        // SvelteKit builds the client and the service worker while the server build writes its bundle.
        if (!ssr) return;
        const files = filesUnder(join(clientDir, '_app')).map((f) =>
          relative(clientDir, f).split(sep).join('/')
        );
        const list = [...new Set([...files, PRECACHE_LIST])].sort();
        writeFileSync(join(clientDir, PRECACHE_LIST), `${JSON.stringify(list, null, 1)}\n`);
      }
    }
  };
}
