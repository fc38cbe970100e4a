// Counts the browser suites skipped for want of the external fixture set (see ../fixture-reporter.ts).
import type { FullResult, Reporter, Suite, TestCase } from '@playwright/test/reporter';
import { FIXTURE_TAG_E2E } from '../fixture-set.mjs';
import { reportFixtureSkips } from '../fixture-skips.mjs';

export default class FixtureReporter implements Reporter {
  private root: Suite | undefined;

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  onEnd(_result: FullResult): void {
    const skipped = (this.root?.allTests() ?? []).filter(
      (t) => t.tags.includes(FIXTURE_TAG_E2E) && t.outcome() === 'skipped'
    );
    reportFixtureSkips('playwright', {
      suites: skipped.length,
      files: new Set(skipped.map(specFile)).size
    });
  }

  printsToStdio(): boolean {
    return false;
  }
}

/** The spec file a test belongs to (its own location is where `describeShared` declared it). */
function specFile(test: TestCase): string | undefined {
  let suite: Suite | undefined = test.parent;
  while (suite && suite.type !== 'file') suite = suite.parent;
  return suite?.title;
}
