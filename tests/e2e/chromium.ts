import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

/** Flags for a quiet, deterministic headless Chromium that makes no background requests of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync'
];

function playwrightBundled(): string | undefined {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Chromium to test with: $SAFELOAD_CHROMIUM or $CHROME_PATH, else the Debian package, else a browser
 * Playwright downloaded earlier. Throws with instructions when none is found.
 */
export function findChromium(): string {
  for (const variable of ['SAFELOAD_CHROMIUM', 'CHROME_PATH']) {
    const path = process.env[variable];
    if (!path) continue;
    if (!existsSync(path)) throw new Error(`${variable}=${path} does not exist`);
    return path;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  const bundled = playwrightBundled();
  if (bundled) return bundled;
  throw new Error(
    'No Chromium found for the browser tests. Install one (Debian/Ubuntu: `sudo apt-get install chromium`) ' +
      'or point SAFELOAD_CHROMIUM at a Chromium or Chrome executable.'
  );
}
