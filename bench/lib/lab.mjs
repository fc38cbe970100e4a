import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ensureHashFiles } from './files.mjs';
import { serveStatic } from '../../scripts/static-server.mjs';
import { launch } from './browser.mjs';

/** Builds and serves the bench-only lab page, launches Chromium on it; shared by the lab-* experiments. */
export async function openLab() {
  const benchDir = fileURLToPath(new URL('..', import.meta.url));
  const work = join(benchDir, '.work');
  const files = ensureHashFiles(work);
  execFileSync('npx', ['vite', 'build', '-c', join(benchDir, 'lab/vite.config.mjs')], { stdio: 'inherit' });
  const server = await serveStatic(join(work, 'lab-dist'));
  const { browser, cdp } = await launch();
  const page = await browser.newPage();
  await page.goto(server.url);
  return { work, files, server, browser, cdp, page };
}
