// Vitest side of the external fixture set (see fixture-set.mjs for where it is found). Suites that read it
// are declared with `describeShared` and read it only inside: in their body, hooks or tests, never at module
// load. Without the set they are replaced by one skipped placeholder each (their bodies may enumerate the
// fixtures, so they cannot run), and the fixture reporter prints one line counting them.
import { describe, it } from 'vitest';
import { FIXTURE_TAG, FIXTURES_RUN } from './fixture-set.mjs';

export { FIXTURES_REQUIRED, SHARED_ROOT, sharedPath } from './fixture-set.mjs';

export const NEEDS_FIXTURES = 'needs the external fixture set (SAFELOAD_FIXTURES or ../shared)';

type SuiteOptions = Exclude<Parameters<typeof describe>[1], undefined | ((...args: never[]) => unknown)>;

/**
 * `describe` for a suite that needs the fixture set: skipped when it is absent, unless CI requires it.
 * Called as `describeShared(name, body)` or `describeShared(name, options, body)`.
 */
export function describeShared(name: string, options: SuiteOptions | (() => void), body?: () => void): void {
  const factory = typeof options === 'function' ? options : body!;
  const given = typeof options === 'function' ? {} : options;
  const tags = [...[given.tags ?? []].flat(), FIXTURE_TAG];
  describe(name, { ...given, tags }, FIXTURES_RUN ? factory : () => it.skip(NEEDS_FIXTURES, () => {}));
}
