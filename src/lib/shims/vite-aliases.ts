import { fileURLToPath } from 'node:url';

// Vite `resolve.alias` entries that let @sigstore/verify run in the browser (workers included): Node's
// `crypto` and `util` become the shims beside this file. Exact-match patterns, so `node:crypto` used by
// Node-side code and tests is untouched; in Vitest/SSR node_modules are externalised and keep Node's modules.
export const sigstoreBrowserAliases = [
  { find: /^crypto$/, replacement: fileURLToPath(new URL('./crypto.ts', import.meta.url)) },
  { find: /^util$/, replacement: fileURLToPath(new URL('./util.ts', import.meta.url)) }
];
