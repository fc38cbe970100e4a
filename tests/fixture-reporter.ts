// Counts the suites skipped for want of the external fixture set and says so in one line. Under the test
// command (SAFELOAD_FIXTURE_SKIPS set) it writes the count there instead, and the command prints one line for
// both runners.
import type { Reporter, TestModule } from 'vitest/node';
import { FIXTURE_TAG } from './fixture-set.mjs';
import { reportFixtureSkips } from './fixture-skips.mjs';

export default class FixtureReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let suites = 0;
    const files = new Set<string>();
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (!test.tags.includes(FIXTURE_TAG) || test.result().state !== 'skipped') continue;
        suites++;
        files.add(module.moduleId);
      }
    }
    reportFixtureSkips('vitest', { suites, files: files.size });
  }
}
