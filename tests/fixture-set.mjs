// Where the external fixture set (the peer corpus, Sigstore bundles, recorded Hub and OSV responses) lives:
// $SAFELOAD_FIXTURES, else ../shared beside the checkout. Plain JavaScript so the test command, the test
// configs and their reporters (which run outside the test transform) share one answer.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const candidate = process.env.SAFELOAD_FIXTURES
  ? resolve(process.env.SAFELOAD_FIXTURES)
  : join(import.meta.dirname, '../../shared');

/** The fixture root when present (it holds `fixtures/`), else undefined. */
export const SHARED_ROOT = existsSync(join(candidate, 'fixtures')) ? candidate : undefined;

/** CI sets SAFELOAD_REQUIRE_FIXTURES=1: a missing fixture set is then a failure, never a skip. */
export const FIXTURES_REQUIRED = process.env.SAFELOAD_REQUIRE_FIXTURES === '1';

/** Suites that need the fixture set run when it is present or required (and then fail loudly without it). */
export const FIXTURES_RUN = Boolean(SHARED_ROOT) || FIXTURES_REQUIRED;

/** The tag that marks those suites, in Vitest and (with its `@`) in Playwright. */
export const FIXTURE_TAG = 'fixtures';
export const FIXTURE_TAG_E2E = `@${FIXTURE_TAG}`;

/**
 * A path inside the fixture set. On a plain clone it points where the set would be: read it only inside
 * `describeShared` (or a test/hook it declares).
 * @param {...string} parts
 */
export function sharedPath(...parts) {
  return join(SHARED_ROOT ?? candidate, ...parts);
}

const HOW_TO_GET =
  'put the fixture set beside the checkout as ../shared or point SAFELOAD_FIXTURES at it ' +
  '(CI sets SAFELOAD_REQUIRE_FIXTURES=1, which turns its absence into a failure)';

/** Where the fixture set was looked for, and how to provide it. */
export function fixturesNotFound() {
  return `There is no fixture set at ${candidate} (no fixtures/ folder there): ${HOW_TO_GET}.`;
}

/** Why the fixture suites cannot run, for a required-but-missing set. */
export function missingFixturesError() {
  return `SAFELOAD_REQUIRE_FIXTURES=1, but: ${fixturesNotFound()}`;
}

/**
 * The one loud line for skipped suites.
 * @param {{ suites: number, files: number }} skipped
 */
export function fixtureSkipLine(skipped) {
  const what = `${skipped.suites} test suite${skipped.suites === 1 ? '' : 's'} in ${skipped.files} file${skipped.files === 1 ? '' : 's'}`;
  return (
    `⚠ SKIPPED ${what}: they need the external fixture set (scanner corpus, Sigstore bundles, recorded ` +
    `Hub/OSV responses), and none was found at ${candidate}. To run them, ${HOW_TO_GET}.`
  );
}
