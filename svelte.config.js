import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** Every page is prerendered; there is no server code. The CSP is emitted as a <meta> tag with hashes. */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, strict: true }),
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
