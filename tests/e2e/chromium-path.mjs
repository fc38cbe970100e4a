// Finds a Chromium for Playwright without downloading one: $SAFELOAD_CHROMIUM, $CHROME_PATH,
// Debian's /usr/bin/chromium, then Playwright's own browsers if someone installed them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync'
];

export function findChromium() {
  const fromEnv = process.env.SAFELOAD_CHROMIUM || process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return { path: fromEnv };
    return {
      path: undefined,
      help: `SAFELOAD_CHROMIUM/CHROME_PATH points at ${fromEnv}, which does not exist.`
    };
  }
  for (const candidate of CANDIDATES) if (existsSync(candidate)) return { path: candidate };
  const bundled = playwrightsOwnChromium();
  if (bundled) return { path: bundled };
  return {
    path: undefined,
    help: [
      'No Chromium found for the browser tests. Either:',
      '  - Debian/Ubuntu: sudo apt-get install chromium   (then /usr/bin/chromium is used), or',
      '  - set SAFELOAD_CHROMIUM=/path/to/chrome-or-chromium, or',
      '  - install Playwright’s browser yourself (npx playwright install chromium) and set SAFELOAD_CHROMIUM to it.'
    ].join('\n')
  };
}

function playwrightsOwnChromium() {
  try {
    const path = createRequire(import.meta.url)('playwright-core').chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
