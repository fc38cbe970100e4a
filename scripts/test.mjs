#!/usr/bin/env node
// The one test command (README, CI): type checks, formatting, unit tests, a production build, then
// end-to-end tests against that build in a system Chromium. Ends with "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../tests/e2e/chromium-path.mjs';
import {
  FIXTURES_REQUIRED,
  fixtureSkipLine,
  missingFixturesError,
  SHARED_ROOT
} from '../tests/fixture-set.mjs';
import { sumFixtureSkips } from '../tests/fixture-skips.mjs';

const results = join('test-results');
mkdirSync(results, { recursive: true });
const failures = [];
let passed = 0;
let failed = 0;

function step(name, command, args, env = {}) {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) failures.push(name);
  return ok;
}

function countJson(file, pick) {
  if (!existsSync(file)) return false;
  const { ok, bad } = pick(JSON.parse(readFileSync(file, 'utf8')));
  passed += ok;
  failed += bad;
  return true;
}

// CI requires the external fixture set: fail at once instead of after the slower steps.
if (FIXTURES_REQUIRED && !SHARED_ROOT) {
  console.error(`\n✘ ${missingFixturesError()}\n`);
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// Both runners write how many suites they skipped for want of the fixture set; one line sums them at the end.
// (Not under test-results/: Playwright empties that folder when it starts.)
const fixtureSkips = mkdtempSync(join(tmpdir(), 'safeload-fixture-skips-'));
process.env.SAFELOAD_FIXTURE_SKIPS = fixtureSkips;

const chromium = findChromium();
if (!chromium.path) {
  console.error(`\n${chromium.help}\n`);
  process.exit(2);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
if (step('type check', npx, ['svelte-kit', 'sync'])) {
  step('svelte-check', npx, [
    'svelte-check',
    '--tsconfig',
    './tsconfig.json',
    '--fail-on-warnings',
    '--threshold',
    'warning'
  ]);
  // After sync: the type-aware rules read the SvelteKit tsconfig it writes.
  step('lint', npx, ['eslint', '.']);
}
step('formatting', npx, ['prettier', '--check', '.', '--log-level', 'warn']);
step('unused files, exports and dependencies', npx, ['knip']);
// Production code only (tests excluded): what only tests use is dead code in the product.
step('code only tests use', npx, ['knip', '--production']);

const vitestJson = join(results, 'vitest.json');
rmSync(vitestJson, { force: true });
step('unit tests', npx, [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--reporter=./tests/fixture-reporter.ts',
  `--outputFile.json=${vitestJson}`
]);
if (!countJson(vitestJson, (j) => ({ ok: j.numPassedTests, bad: j.numFailedTests }))) failed++;

const built = step('build', npx, ['vite', 'build', '--logLevel', 'warn']);
// The same site built to be served under /safeload/, as the GitHub Pages deploy does (tests/e2e/subpath.e2e.ts).
const builtForPath =
  built &&
  step('build for a path', npx, ['vite', 'build', '--logLevel', 'warn'], {
    SAFELOAD_BASE_PATH: '/safeload',
    SAFELOAD_BUILD_DIR: 'build-subpath'
  });
if (built && builtForPath) {
  const pwJson = join(results, 'playwright.json');
  rmSync(pwJson, { force: true });
  step(
    'end-to-end tests',
    npx,
    ['playwright', 'test', '--reporter=list,json,./tests/e2e/fixture-reporter.ts'],
    {
      PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
      SAFELOAD_CHROMIUM: chromium.path
    }
  );
  const counted = countJson(pwJson, (j) => ({
    ok: j.stats.expected,
    bad: j.stats.unexpected + j.stats.flaky
  }));
  if (!counted) failed++;
}

const skipped = sumFixtureSkips(fixtureSkips);
rmSync(fixtureSkips, { recursive: true, force: true });
if (skipped.suites > 0) console.log(`\n${fixtureSkipLine(skipped)}`);
console.log(`\n${failures.length ? `Failed steps: ${failures.join(', ')}` : 'All steps passed.'}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failures.length === 0 && failed === 0 ? 0 : 1);
