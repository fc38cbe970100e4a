// Playwright global setup: when CI requires the external fixture set, its absence fails the run up front.
import { FIXTURES_REQUIRED, missingFixturesError, SHARED_ROOT } from '../fixture-set.mjs';

export default function requireFixtures(): void {
  if (FIXTURES_REQUIRED && !SHARED_ROOT) throw new Error(missingFixturesError());
}
