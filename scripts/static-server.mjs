// A small static file server for the built site (the bench, and the browser tests of a build served under a
// path, as GitHub Pages serves a project site). Run: node scripts/static-server.mjs DIR [--base /x] [--port N]
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve as resolvePath, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain'
};

/**
 * @param {string} root
 * @param {string} urlPath
 */
function resolveFile(root, urlPath) {
  const rel = normalize(decodeURIComponent(urlPath.split('?')[0])).replace(/^([/\\])+/, '');
  const base = join(root, rel);
  if (!base.startsWith(root)) return undefined;
  for (const candidate of [base, join(base, 'index.html'), `${base}.html`]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

/**
 * A static file server on 127.0.0.1 (SvelteKit static output: /x → x.html or x/index.html). With `base`, the
 * site answers only under that path (/base/… → DIR/…), and / redirects there.
 * @param {string} dir
 * @param {{ base?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<unknown> }>}
 */
export function serveStatic(dir, { base = '', port = 0 } = {}) {
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (base && (path === '/' || path === base)) {
      res.writeHead(301, { location: `${base}/` }).end();
      return;
    }
    const inside = !base || path.startsWith(`${base}/`);
    const file = inside ? resolveFile(root, path.slice(base.length)) : undefined;
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream',
      'cache-control': 'no-store'
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${address.port}${base}`,
        close: () => new Promise((r) => server.close(r))
      });
    })
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { base: { type: 'string', default: '' }, port: { type: 'string', default: '0' } }
  });
  const served = await serveStatic(resolvePath(positionals[0] ?? 'build'), {
    base: values.base,
    port: Number(values.port)
  });
  console.log(`serving ${positionals[0] ?? 'build'} at ${served.url}/`);
}
