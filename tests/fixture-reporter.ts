// Counts the suites skipped for want of the external fixture set, or of PyTorch, and says so in one line. Under the test
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
    const torch = modules.flatMap((m) =>
      [...m.children.allTests()].filter((t) => t.tags.includes('torch') && t.result().state === 'skipped')
    );
    // Printed even under the test command: it is the only line that says the PyTorch comparisons did not run.
    if (torch.length > 0)
      process.stdout.write(
        `\n⚠ SKIPPED ${torch.length} differential suite${torch.length === 1 ? '' : 's'} against PyTorch: ` +
          'install python3-torch and python3-numpy (or set SAFELOAD_TORCH_PYTHON); CI requires them.\n\n'
      );
  }
}
