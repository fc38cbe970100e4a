import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { precacheList } from './src/lib/offline/precache-list.ts';
import { sigstoreBrowserAliases } from './src/lib/shims/vite-aliases.ts';
import { FIXTURE_TAG } from './tests/fixture-set.mjs';

export default defineConfig({
  plugins: [sveltekit(), precacheList('.svelte-kit/output/client')],
  // @sigstore/verify imports Node's crypto/util: in the browser they resolve to audited pure-JS shims.
  resolve: { alias: sigstoreBrowserAliases },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  preview: { host: '127.0.0.1' },
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Suites that read the external fixture set carry this tag (tests/shared-fixtures.ts); the reporter
    // counts those skipped on a plain clone, and the setup fails the run when CI requires the set.
    tags: [
      { name: FIXTURE_TAG, description: 'needs the external fixture set (SAFELOAD_FIXTURES or ../shared)' },
      { name: 'torch', description: 'compares with PyTorch (python3-torch; tests/torch-python.ts)' }
    ],
    globalSetup: ['tests/fixture-setup.ts', 'tests/cli-setup.ts'],
    reporters: ['default', './tests/fixture-reporter.ts']
  }
});
