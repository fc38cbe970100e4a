import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * Where the site is served from: "" (the root) or a path such as "/safeload" for a GitHub Pages project site.
 * Set at build time: SAFELOAD_BASE_PATH=/safeload SAFELOAD_BUILD_DIR=build-pages vite build.
 */
const base = process.env.SAFELOAD_BASE_PATH ?? '';
if (base !== '' && !/^(\/[\w.-]+)+$/.test(base))
  throw new Error(`SAFELOAD_BASE_PATH must be empty or like /safeload (no trailing slash), not "${base}"`);
const out = process.env.SAFELOAD_BUILD_DIR || 'build';

/** Every page is prerendered; there is no server code. The CSP is emitted as a <meta> tag with hashes. */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: out, assets: out, fallback: undefined, strict: true }),
    paths: { base },
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['none'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        // The Hub (provenance, "Scan on the Hub") and OSV (dependency audit) are reached only when the user
        // asks; file reads follow the Hub's redirect to exactly its file hosts (src/lib/core/remote/file-hosts.ts).
        'connect-src': [
          'self',
          'https://huggingface.co',
          'https://api.osv.dev',
          'https://us.aws.cdn.hf.co',
          'https://us.gcp.cdn.hf.co',
          'https://cas-bridge.xethub.hf.co',
          'https://cas-bridge.xethub-eu.hf.co',
          'https://cdn-lfs.hf.co',
          'https://cdn-lfs-us-1.hf.co',
          'https://cdn-lfs-eu-1.hf.co',
          'https://cdn-lfs.huggingface.co',
          'https://cdn-lfs-us-1.huggingface.co',
          'https://cdn-lfs-eu-1.huggingface.co'
        ],
        'manifest-src': ['self'],
        'base-uri': ['none'],
        'form-action': ['none'],
        'object-src': ['none']
      }
    },
    serviceWorker: { register: true }
  }
};

export default config;
