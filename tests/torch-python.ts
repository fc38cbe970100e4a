// The Python with torch and numpy that differential tests compare against: $SAFELOAD_TORCH_PYTHON, else
// Debian's /usr/bin/python3 (apt-get install python3-torch python3-numpy). As with the fixture set
// (tests/shared-fixtures.ts), suites that need it skip loudly without it: one skipped placeholder each, a
// warning when the file loads and one counted line from the reporter (tests/fixture-reporter.ts).
// SAFELOAD_REQUIRE_FIXTURES=1 or SAFELOAD_REQUIRE_TORCH=1 (CI) makes them run, and fail, instead.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { FIXTURES_REQUIRED } from './shared-fixtures';

export const TORCH_PYTHON = process.env.SAFELOAD_TORCH_PYTHON ?? '/usr/bin/python3';
/** The tag of the suites that need it (declared in vite.config.ts, counted by the reporter). */
export const TORCH_TAG = 'torch';

const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
export const HAS_TORCH = probe.status === 0;

const required = FIXTURES_REQUIRED || process.env.SAFELOAD_REQUIRE_TORCH === '1';
const NEEDS_TORCH =
  `needs ${TORCH_PYTHON} with torch and numpy (apt-get install python3-torch python3-numpy, ` +
  'or set SAFELOAD_TORCH_PYTHON)';

if (!HAS_TORCH && !required) {
  console.warn(
    `\n⚠ SKIPPED: differential tests against PyTorch — ${TORCH_PYTHON} cannot import torch and numpy` +
      ` (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}).` +
      '\n  Install them (Debian/Ubuntu: apt-get install python3-torch python3-numpy) or set SAFELOAD_TORCH_PYTHON.\n'
  );
}

/**
 * `describe` for suites that need torch. Without it the body (which makes checkpoints with torch) never
 * runs: one skipped placeholder stands in for it, or, when torch is required, one failing test.
 */
export function describeTorch(name: string, body: () => void): void {
  const missing = () => {
    throw new Error(
      `PyTorch is required here (SAFELOAD_REQUIRE_FIXTURES or SAFELOAD_REQUIRE_TORCH), but this ${NEEDS_TORCH}`
    );
  };
  describe(name, { tags: [TORCH_TAG] }, () => {
    if (HAS_TORCH) body();
    // Required but absent: one failing test in place of the suite, counted as a failure.
    else if (required) it('has PyTorch to compare with', missing);
    else it.skip(NEEDS_TORCH, () => {});
  });
}

/** Runs the Python with torch; throws with its stderr when it fails. */
export function runPython(args: string[], timeout = 300_000): string {
  const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(
      `${TORCH_PYTHON} ${args.join(' ')} failed: ${r.stderr || r.error?.message || `exit status ${r.status}`}`
    );
  return r.stdout;
}
