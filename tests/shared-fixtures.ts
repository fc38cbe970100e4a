// Where the external fixture set (the peer corpus, Sigstore bundles, recorded Hub and OSV responses) lives:
// $SAFELOAD_FIXTURES, else ../shared beside the checkout. A plain clone has neither; suites that need it
// use `describeShared`, which skips them there, unless SAFELOAD_REQUIRE_FIXTURES=1 (CI) makes them run and fail.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe } from 'vitest';

const candidate = process.env.SAFELOAD_FIXTURES
  ? resolve(process.env.SAFELOAD_FIXTURES)
  : join(import.meta.dirname, '../../shared');

/** The fixture root when present. */
export const SHARED_ROOT: string | undefined = existsSync(join(candidate, 'fixtures'))
  ? candidate
  : undefined;

export const FIXTURES_REQUIRED = process.env.SAFELOAD_REQUIRE_FIXTURES === '1';

/** A path inside the fixture set (it may not exist on a plain clone: read it only inside `describeShared`). */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_ROOT ?? candidate, ...parts);
}

/** `describe` for suites that need the fixture set: skipped when it is absent, unless CI requires it. */
export const describeShared = describe.skipIf(!SHARED_ROOT && !FIXTURES_REQUIRED);
