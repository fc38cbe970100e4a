/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
import { base, build, files, prerendered, version } from '$service-worker';
import { PRECACHE_LIST } from '$lib/offline/precache-path';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `safeload-${version}`;
const ASSETS = [...new Set([...build, ...files, ...prerendered])];
const EMITTED_NAME = /^_app\/[A-Za-z0-9._/-]+$/;

/**
 * Every file the build emitted under _app/, from the list the build writes (src/lib/offline/precache-list.ts):
 * `build` above misses nested workers and worker chunks, without which offline hashing falls back to a slower
 * path. The dev server emits nothing (`build` is empty there).
 */
async function emittedFiles(): Promise<string[]> {
  if (build.length === 0) return [];
  const response = await fetch(`${base}/${PRECACHE_LIST}`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${PRECACHE_LIST}: HTTP ${response.status}`);
  const list: unknown = await response.json();
  if (
    !Array.isArray(list) ||
    !list.every((f) => typeof f === 'string' && EMITTED_NAME.test(f) && !f.includes('..'))
  )
    throw new Error(`${PRECACHE_LIST} is not a list of files under _app/`);
  return list.map((f: string) => `${base}/${f}`);
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([...new Set([...ASSETS, ...(await emittedFiles())])]);
      await sw.skipWaiting();
    })()
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })()
  );
});

/** Cache first for this origin's GETs; everything else (other origins, non-GET) is left alone. */
sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== sw.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = await cache.match(url.pathname, { ignoreSearch: true });
      if (cached) return cached;
      const response = await fetch(event.request);
      if (response.ok && response.type === 'basic') await cache.put(url.pathname, response.clone());
      return response;
    })()
  );
});
