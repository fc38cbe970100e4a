// The site built a second time to be served under /safeload/ (as GitHub Pages serves a project site), into
// build-subpath/. scripts/test.mjs builds it before the browser tests; run alone, the spec builds it when it
// is missing or older than build/.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const SUBPATH = '/safeload';
const root = join(import.meta.dirname, '../..');
export const SUBPATH_BUILD = join(root, 'build-subpath');

const builtAt = (dir: string) => statSync(join(dir, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;

export function buildForSubpath(): void {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SAFELOAD_BASE_PATH: SUBPATH, SAFELOAD_BUILD_DIR: 'build-subpath' }
  });
}

export function ensureSubpathBuild(): void {
  const built = builtAt(SUBPATH_BUILD);
  if (built === 0 || built < builtAt(join(root, 'build'))) buildForSubpath();
}
