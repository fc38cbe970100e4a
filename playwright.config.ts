import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './tests/e2e/chromium';

// SAFELOAD_PORT lets several checkouts run their browser tests side by side.
const PORT = Number(process.env.SAFELOAD_PORT ?? 4173);

/** Runs against the built static site: `vite build` first (scripts/test.mjs does), then `playwright test`. */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.e2e.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // The fixture reporter counts suites skipped for want of the external fixture set (tests/e2e/shared.ts).
  reporter: [
    ['list'],
    ...(process.env.CI ? [['html', { open: 'never' }] as const] : []),
    ['./tests/e2e/fixture-reporter.ts']
  ],
  globalSetup: './tests/e2e/fixture-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure'
  },
  webServer: {
    // The static output itself (build/), served as a static host would: `vite preview` serves .svelte-kit/output,
    // which the last build (possibly the one for a path) overwrote.
    command: `node scripts/static-server.mjs build --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000
  }
});
