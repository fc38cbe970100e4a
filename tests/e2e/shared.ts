// Playwright side of the external fixture set (see ../fixture-set.mjs): suites that read it are declared with
// `describeShared`, read it only inside, and are replaced by one skipped placeholder when it is absent.
import { test } from '@playwright/test';
import { FIXTURE_TAG_E2E, FIXTURES_RUN } from '../fixture-set.mjs';

export { sharedPath } from '../fixture-set.mjs';

export function describeShared(title: string, body: () => void): void {
  test.describe(title, { tag: FIXTURE_TAG_E2E }, () => {
    if (FIXTURES_RUN) body();
    else test.skip('needs the external fixture set (SAFELOAD_FIXTURES or ../shared)', () => {});
  });
}
